// Optimizers and learning-rate schedules.
export { Optimizer } from './optimizer';
export { SGD } from './sgd';
export { AdamW, type AdamWOptions } from './adamw';
export { constantLr, stepLr, toSchedule, type Schedule } from './schedule';
