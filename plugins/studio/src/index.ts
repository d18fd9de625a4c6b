export { CONTENT_SECURITY_POLICY } from './static-assets.js';
export { type StudioOptions, studioMounts } from './studio-mounts.js';
export type { MetricsBucket } from './metrics-series.js';
export type { RunSummary } from './run-list.js';
export type { RunTimeline, TimelineRow } from './run-timeline.js';
export type { PageLogEntry } from './log-stream.js';
export type { AgentOverview } from './agent-overview.js';
export type { StudioMount, StudioMountContext, StudioPrincipal, StudioRole } from './studio-types.js';
