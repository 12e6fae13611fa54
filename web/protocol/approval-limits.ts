// How long an agent's question, its options and an operator's answer or note may be.
// A leaf with no imports: the dashboard bundles it without TypeBox.
export const approvalLimits = {
  questionChars: 10_000,
  answerChars: 10_000,
  options: 20,
  optionChars: 256,
  noteChars: 2_000,
  questionIdChars: 128,
} as const;
