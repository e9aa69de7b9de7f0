/**
 * The formats `redactInput` (`./redact-input.ts`) reads, apart from it so that `veil redact`
 * can declare its `--format` choices without loading the engine.
 */
export const INPUT_FORMATS = ['text', 'csv', 'json'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
