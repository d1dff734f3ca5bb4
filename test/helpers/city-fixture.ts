/** A small, valid city touching every resource; tests copy and break it. */
export function smallCity() {
  return {
    depots: [{ id: 'depot-a', name: 'Depot A', district: 'North', location: { type: 'Point', coordinates: [7.42, 43.735] } }],
    facilities: [
      { id: 'inc-1', name: 'Incinerator', kind: 'incinerator', location: { type: 'Point', coordinates: [7.41, 43.73] }, acceptedClasses: ['residual'], openingHours: [{ from: '00:00', to: '24:00' }], dailyCapacityKg: 500000, unloadS: 900 },
      { id: 'disp-1', name: 'Disposal 1', kind: 'construction_disposal', location: { type: 'Point', coordinates: [7.44, 43.74] }, acceptedClasses: ['construction'], openingHours: [{ from: '21:00', to: '06:00' }], dailyCapacityKg: 2000000, unloadS: 480 },
    ],
    vehicles: [
      { id: 'col-1', plate: '沪A00001', kind: 'collector', wasteClasses: ['residual'], capacityKg: 8000, capacityM3: 18, sealed: true, homeDepotId: 'depot-a', shift: { from: '04:00', to: '12:00' }, terminalId: '013800000001' },
      { id: 'col-2', plate: '沪A00002', kind: 'collector', wasteClasses: ['residual'], capacityKg: 8000, capacityM3: 18, sealed: true, homeDepotId: 'depot-a', shift: { from: '04:00', to: '12:00' }, terminalId: '013800000002' },
      { id: 'muck-1', plate: '沪A00003', kind: 'muck_truck', wasteClasses: ['construction'], capacityKg: 16000, capacityM3: 14, sealed: true, homeDepotId: 'depot-a', shift: { from: '21:00', to: '07:00' }, sensors: { cover: true, lift: true, load: true } },
    ],
    collectionPoints: [
      { id: 'cp-1', name: 'Point 1', location: { type: 'Point', coordinates: [7.421, 43.736] }, wasteClass: 'residual', expectedKgPerDay: 300, serviceS: 120 },
    ],
    constructionSites: [{ id: 'site-1', name: 'Site 1', location: { type: 'Point', coordinates: [7.43, 43.735] } }],
    permits: [{
      id: 'permit-1', number: 'ZT-1', siteId: 'site-1', disposalFacilityId: 'disp-1', vehicleIds: ['muck-1'],
      corridor: { line: { type: 'LineString', coordinates: [[7.4301, 43.7351], [7.435, 43.738], [7.4399, 43.7399]] }, widthM: 30 },
      hours: { from: '22:00', to: '06:00' }, loadsPerDay: 10, validFrom: '2026-01-01', validTo: '2026-12-31',
    }],
    roadSegments: [{ id: 'seg-1', name: 'Main St', geometry: { type: 'LineString', coordinates: [[7.42, 43.735], [7.421, 43.736]] }, grade: 1 }],
    restrictedZones: [{ id: 'zone-1', name: 'School', area: { type: 'Polygon', coordinates: [[[7.42, 43.73], [7.43, 43.73], [7.43, 43.74], [7.42, 43.73]]] }, vehicleKinds: ['muck_truck'], hours: [{ from: '07:00', to: '09:00' }] }],
  };
}
