// The one error type of the cluster harness. `code` says what went wrong so global-setup can tell
// "build the tools first" apart from "the control plane did not come up".
export type ControlPlaneErrorCode =
  /** etcd, kube-apiserver or the tool versions file is missing: run scripts/build-control-plane.sh. */
  | 'CONTROL_PLANE_TOOLS_MISSING'
  /** A process exited, never got ready, or the build script failed. The message has the log tail. */
  | 'CONTROL_PLANE_START_FAILED';

export class ControlPlaneError extends Error {
  readonly code: ControlPlaneErrorCode;

  constructor(code: ControlPlaneErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControlPlaneError';
    this.code = code;
  }
}
