import type { Stage } from './stage.js';

// The ANSI escape sequences Loki's decolorize removes (SGR and other CSI codes).
const ANSI_RE =
  /[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-nq-uy=><~]))/g;

export function decolorizeStage(): Stage {
  return { process: (_ts, line) => line.replace(ANSI_RE, '') };
}
