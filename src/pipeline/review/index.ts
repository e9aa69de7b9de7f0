// Human review of uncertain fields (issue 14): routing, tasks, crops, decisions, regression cases.
export {
  applyReviews,
  claimTask,
  completeIfReviewed,
  decideTask,
  getTask,
  listTasks,
  readCrop,
  sweepReview,
  type DecisionInput,
  type DecisionOutcome,
  type Reviewer,
  type ReviewDeps,
  type ReviewSweepReport,
  type TaskDetail,
} from './commands.js';
export { CROP_CLASS, cropArtifactId, openReviewTasks, type RenderFieldCrop } from './open.js';
export {
  REGRESSION_CLASS,
  runRegressions,
  saveRegressionCase,
  type RegressionResult,
} from './regressions.js';
export { fieldsToReview, reviewReasonOf, withStatus, type ReviewReason } from './routing.js';
export {
  countOpenTasks,
  reviewExposure,
  ReviewTasks,
  taskState,
  type DecisionAction,
  type ShownTaskStatus,
  type ReviewExposure,
  type ReviewTask,
} from './tasks.js';
