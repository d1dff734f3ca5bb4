import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { PlanProgressEvent } from '../../../src/jobs/plan-runner.js';
import { getJson } from '../lib/api.js';
import { t } from '../lib/i18n.js';

/** A plan job followed on the page: its progress bar, fed by the socket and by polling the job. */
export interface JobWatch {
  jobId: string;
  planId: string;
  status: PlanProgressEvent['status'];
  phase?: string;
  fraction: number;
  best?: PlanProgressEvent['best'];
  error?: string;
}

export function statusLabel(status: string): string {
  return t(`plans.status.${status}`, { defaultValue: status });
}

/** The progress bar of one plan job, fed by the socket and by polling the job. */
export function JobProgress(props: { job: JobWatch }) {
  const { job } = props;
  return html`<div class="plan-progress" id="plan-job">
    <label for="plan-progress">${t('plans.progress.label', { phase: t(`plans.phase.${job.phase ?? 'network'}`, { defaultValue: job.phase ?? '' }) })}</label>
    <progress id="plan-progress" max="1" value=${job.fraction}>${Math.round(job.fraction * 100)}%</progress>
    <span class="plan-progress-text" role="status">${job.status === 'failed' ? t('plans.progress.failed', { error: job.error ?? '' })
      : job.status === 'done' ? t('plans.progress.done')
      : t('plans.progress.running', { percent: Math.round(job.fraction * 100), vehicles: job.best?.vehicles ?? 0, unserved: job.best?.unserved ?? 0 })}</span>
  </div>`;
}

/** Watches a job until it ends: socket events as they come, the job row every 1.5 s in case none come. */
export function useJobWatch(socket: Socket | undefined, onEnd: (job: JobWatch) => void): [JobWatch | undefined, (j: { jobId: string; planId: string }) => void] {
  const [job, setJob] = useState<JobWatch>();
  const current = useRef<JobWatch | undefined>(undefined);
  const ended = useRef(onEnd);
  ended.current = onEnd;
  const update = (next: JobWatch) => {
    const was = current.current;
    if (!was || was.jobId !== next.jobId || was.status === 'done' || was.status === 'failed') return;
    // the socket and the poll race: never go back
    const merged = { ...was, ...next, fraction: next.status === 'done' ? 1 : Math.max(was.fraction, next.fraction) };
    current.current = merged;
    setJob(merged);
    if (merged.status === 'done' || merged.status === 'failed') ended.current(merged);
  };
  useEffect(() => {
    if (!socket) return;
    const on = (e: PlanProgressEvent) => update({ jobId: e.jobId, planId: e.planId, status: e.status, phase: e.phase, fraction: e.fraction, best: e.best, error: e.error });
    socket.on('plan:progress', on);
    return () => void socket.off('plan:progress', on);
  }, [socket]);
  useEffect(() => {
    if (!job || job.status === 'done' || job.status === 'failed') return;
    const timer = setInterval(() => {
      void getJson<{ status: string; progress?: { phase?: string; fraction?: number; best?: JobWatch['best'] } | null; error: string | null }>(`/api/v1/plan-jobs/${encodeURIComponent(job.jobId)}`)
        .then((row) => update({
          jobId: job.jobId, planId: job.planId, status: row.status === 'done' || row.status === 'failed' ? row.status : 'running',
          phase: row.progress?.phase, fraction: row.progress?.fraction ?? 0, best: row.progress?.best, error: row.error ?? undefined,
        }), () => undefined);
    }, 1500);
    return () => clearInterval(timer);
  }, [job?.jobId, job?.status]);
  const start = (j: { jobId: string; planId: string }) => {
    const w: JobWatch = { ...j, status: 'queued', fraction: 0 };
    current.current = w;
    setJob(w);
  };
  return [job, start];
}

