// The message of a denial, as kubectl prints it after
// `admission webhook "slimguard.io" denied the request: `. One line per problem so it stays
// readable in a terminal:
//   slimguard denied Deployment team-a/web:
//   - container "app" (nginx:1.27): [runAsRoot] nginx:1.27 runs as root (no USER set); ...
import { describeContainers, type ContainerIdentity } from './container-labels.js';
import { formatWorkload, type WorkloadRef } from './list-containers.js';
import { sanitizeText, truncateText } from './warnings.js';

/** One reason for the denial and the containers it applies to (all with the same image). */
export interface DenyReason {
  containers: readonly ContainerIdentity[];
  /** A `[rule] ...` line. */
  message: string;
}

/** Lines beyond this are summarised: a denial with hundreds of lines helps nobody. */
export const DENY_MESSAGE_MAX_LINES = 50;
export const DENY_LINE_MAX_CHARS = 1024;

export function formatDenyMessage(workload: WorkloadRef, reasons: readonly DenyReason[]): string {
  const header = sanitizeText(`slimguard denied ${formatWorkload(workload)}:`);
  const lines = reasons.slice(0, DENY_MESSAGE_MAX_LINES).map((reason) => {
    const image = reason.containers[0]?.image;
    const who = `${describeContainers(reason.containers)}${image === undefined ? '' : ` (${image})`}`;
    return truncateText(sanitizeText(`- ${who}: ${reason.message}`), DENY_LINE_MAX_CHARS);
  });
  const left = reasons.length - DENY_MESSAGE_MAX_LINES;
  if (left > 0) lines.push(`- … and ${left} more`);
  return [header, ...lines].join('\n');
}
