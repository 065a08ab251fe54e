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
