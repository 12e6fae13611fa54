// Where actors report what happened; runtime/hub-events.ts implements it.
export interface EventSink {
  emit(type: string, now: number, fields: Record<string, unknown>): void;
}
