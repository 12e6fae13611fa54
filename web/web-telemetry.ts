// What the transport records about itself; runtime hands in the recorder at boot,
// so web/ stays free of runtime imports. The default records nothing.
export type SocketKind = 'agent' | 'dashboard';
export type ValidationSurface = 'http' | 'agent_ws' | 'dashboard_ws';

export interface WebTelemetry {
  httpRequest(route: string, method: string, status: number): void;
  frameReceived(socket: SocketKind, type: string): void;
  frameSent(socket: SocketKind, type: string): void;
  validationError(surface: ValidationSurface): void;
  backpressureClose(socket: SocketKind): void;
  socketOpened(socket: SocketKind): void;
  socketClosed(socket: SocketKind): void;
}

export const noWebTelemetry: WebTelemetry = {
  httpRequest() {}, frameReceived() {}, frameSent() {}, validationError() {}, backpressureClose() {}, socketOpened() {}, socketClosed() {},
};
