/**
 * The one rule deciding which evaluation data the name tagger may be trained on. The training
 * script and the evaluation script both import it, so a reported "held-out" figure really is on
 * text the weights never saw.
 *
 * - presidio-research generated_large.json: samples whose `template_id % 5 === 0` are held out
 *   (whole templates, so held-out sentences have wordings never seen in training).
 * - presidio-research generated_small.json: never trained on.
 * - TAB: only `tab144_train.jsonl` is trained on; `tab144_dev.jsonl` never is.
 */

/** Every `HOLDOUT_MODULUS`-th presidio-research template is held out. */
export const HOLDOUT_MODULUS = 5;

/**
 * True when a presidio-research sample with this template id is held out from training.
 *
 * @example
 * ```ts
 * isHeldOutTemplate(100); // true
 * isHeldOutTemplate(101); // false
 * ```
 */
export function isHeldOutTemplate(templateId: number): boolean {
  return templateId % HOLDOUT_MODULUS === 0;
}

/** The evaluation files the tagger is trained on, relative to the shared eval folder. */
export const TRAINING_FILES = ['presidio-research/generated_large.json', 'tab/tab144_train.jsonl'] as const;

/** Evaluation files never trained on. */
export const NEVER_TRAINED = ['presidio-research/generated_small.json', 'tab/tab144_dev.jsonl'] as const;
