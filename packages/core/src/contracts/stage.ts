/** The stages a message goes through, in order; ERROR runs only on failure. */
export type Stage = 'PARSE' | 'THINK' | 'DO' | 'REVIEW' | 'DELIVER' | 'ERROR';

/** The stages of one iteration, in execution order. */
export const PIPELINE_STAGES: readonly Exclude<Stage, 'ERROR'>[] = ['PARSE', 'THINK', 'DO', 'REVIEW', 'DELIVER'];
export const ALL_STAGES: readonly Stage[] = [...PIPELINE_STAGES, 'ERROR'];
