// Types both UIs share: the frame envelope and a message's sender (CONTRACT.md). Checked by
// `tsc` (jsconfig.json); never served to a browser as code.

export interface Frame {
  type: string;
  [field: string]: any;
}

export interface Sender {
  kind: "visitor" | "agent" | "bot" | "system";
  id?: number | null;
  name?: string;
}

/** The elements of one call box (static/shared/call-session.js), built by each UI in its own
 * markup and language. */
export interface CallView {
  box: HTMLElement;
  media: HTMLElement;
  status: HTMLElement;
  timer: HTMLElement;
  remote: HTMLVideoElement;
  local: HTMLVideoElement;
  controls: HTMLElement;
  ringButtons: HTMLElement;
  mute: HTMLElement;
  camera: HTMLElement;
  hangup: HTMLElement;
  accept: HTMLElement;
  decline: HTMLElement;
}

/** The call on a page: ringing here, being placed from here, or in progress. */
export interface Call {
  id: number | null;
  conversation: number | null;
  media: string;
  caller: string;
  state: string;
  iceServers: RTCIceServer[];
  icePolicy: RTCIceTransportPolicy;
  stream: MediaStream | null;
  peer: import("./rtc.js").CallPeer | null;
  view: CallView;
  connectedAt: number;
  tick: ReturnType<typeof setInterval> | undefined;
  fallback: ReturnType<typeof setTimeout> | undefined;
}
