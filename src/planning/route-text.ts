import type { RouteStop, StopAction, VehicleRoute } from './driver-route.js';

/**
 * A vehicle's route as the text an in-cab terminal shows and reads out (JT/T 808 0x8300):
 * Chinese, one line per stop with its planned time, what to do and the window, every
 * character GBK-encodable (the terminal's encoding). The chunking to the terminal's limit
 * is the protocol layer's (numberedTextChunks).
 */
const CLASS_ZH: Record<string, string> = {
  food: '厨余垃圾', residual: '其他垃圾', recyclable: '可回收物', hazardous: '有害垃圾', muck: '渣土', sweepings: '清扫垃圾', water: '水', deicer: '融雪剂',
};
const WORK_ZH = { sweep: '清扫', wash: '冲洗', water: '洒水', plow: '扫雪', deice: '撒布融雪剂', spread: '撒盐除冰' } as const;

const cls = (c: string): string => CLASS_ZH[c] ?? c;

function actionText(a: StopAction): string {
  switch (a.kind) {
    case 'leave_depot': return '出车场';
    case 'return_depot': return '回车场';
    case 'collect': return `收运${cls(a.wasteClass)} ${a.pointId} 约${a.kg}kg${a.visits > 1 ? ` 第${a.visit}/${a.visits}次` : ''}`;
    case 'street_work': return `机械${WORK_ZH[a.work]} ${a.segmentId} ${a.lengthM}m 第${a.pass}/${a.mechanicalPasses}遍`;
    case 'muck_load': return `装渣土 许可${a.permitId} 第${a.load + 1}车 按线路运至${a.disposalFacilityId}`;
    case 'unload': return `卸${cls(a.carries)} ${a.facilityId}${a.kg > 0 ? ` 约${a.kg}kg` : ''}`;
    case 'refill_water': return `加水 ${a.facilityId}`;
    case 'refill_deicer': return `装融雪剂 ${a.facilityId}`;
    case 'break': return `休息${Math.round(a.durationS / 60)}分钟`;
  }
}

function stopLine(s: RouteStop): string {
  const time = s.startLocal === s.departureLocal ? s.startLocal : `${s.startLocal}-${s.departureLocal}`;
  const window = s.window && s.action.kind !== 'leave_depot' && s.action.kind !== 'return_depot' ? ` 窗口${s.window.startLocal}-${s.window.endLocal}` : '';
  return `${s.seq} ${time} ${actionText(s.action)}${window}`;
}

export function routeText(route: VehicleRoute, plate?: string): string {
  if (!route.route || !route.plan) return '';
  const r = route.route;
  const head = `【${route.date} 路线 v${route.plan.version}】${plate ?? route.vehicleId} ${cls(r.carries)} ${r.stops}站 ${r.startLocal}-${r.endLocal} ${(r.distanceM / 1000).toFixed(1)}km 卸料${r.unloadTrips}次`;
  return [head, ...route.stops.map(stopLine)].join('\n');
}
