import type { HistoryEntry } from '../../oci/types.js';

/** Dockerfile instructions as they can open a history line. */
const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** One history entry, with the instruction and its text recovered from `created_by`. */
export interface HistoryStep {
  /** Position in the config's history (0 = oldest). */
  index: number;
  /** "RUN", "ENV", "COPY", …; "ROOTFS" for a rootfs comment line (debuerreotype), "" when there is none. */
  instruction: string;
  /** For RUN: the shell text; for other instructions: their arguments. */
  body: string;
  /** `created_by` as the image carries it. */
  raw: string;
}

/**
 * Recovers the instruction from a history `created_by`, whichever builder wrote it:
 *  - BuildKit:  `RUN /bin/sh -c apt-get … # buildkit`, `RUN |2 A=1 B=2 /bin/sh -c …`, `ENV K=v`,
 *               `COPY /target/ / # buildkit`;
 *  - classic:   `/bin/sh -c apt-get …`, `|1 A=1 /bin/sh -c …`, `/bin/sh -c #(nop)  ENV K=v`,
 *               `/bin/sh -c #(nop) ADD file:… in / `;
 *  - listings that already stripped the shell (`RUN set -eux; …`, as Docker Hub pages show it);
 *  - debuerreotype's `# debian.sh --arch 'amd64' out/ 'bookworm' '@…'` rootfs line.
 */
export function parseHistoryStep(entry: HistoryEntry, index: number): HistoryStep {
  const raw = entry.created_by ?? '';
  let text = raw.trim().replace(/\s+#\s*buildkit\s*$/, '');
  let instruction = '';

  const nop = /^\/bin\/(?:ba)?sh\s+-c\s+#\(nop\)\s*/.exec(text);
  if (nop) {
    text = text.slice(nop[0].length);
    const word = /^([A-Z]+)\b\s*/.exec(text);
    if (word && INSTRUCTIONS.has(word[1]!)) {
      return { index, instruction: word[1]!, body: text.slice(word[0].length), raw };
    }
    return { index, instruction: '', body: text, raw };
  }

  const keyword = /^([A-Z]+)(?:\s+|$)/.exec(text);
  if (keyword && INSTRUCTIONS.has(keyword[1]!)) {
    instruction = keyword[1]!;
    text = text.slice(keyword[0].length);
    if (instruction !== 'RUN') return { index, instruction, body: text, raw };
  } else if (text.startsWith('#')) {
    return { index, instruction: 'ROOTFS', body: text.replace(/^#\s*/, ''), raw };
  } else if (text === '') {
    return { index, instruction: '', body: '', raw };
  }

  // What is left is a RUN: drop the build-arg prefix (`|2 A=1 B=2 `) and the shell (`/bin/sh -c `).
  instruction = 'RUN';
  const args = /^\|(\d+)\s+/.exec(text);
  if (args) {
    text = text.slice(args[0].length);
    for (let count = Number(args[1]); count > 0; count -= 1) {
      const assignment = /^[A-Za-z_][A-Za-z0-9_]*=\S*\s*/.exec(text);
      if (!assignment) break;
      text = text.slice(assignment[0].length);
    }
  }
  const shell = /^(?:\/bin\/|\/usr\/bin\/)?(?:ba|a|da)?sh\s+(?:-[a-z]+\s+)*-c\s+/.exec(text);
  if (shell) text = text.slice(shell[0].length);
  else text = execFormToShell(text);
  return { index, instruction, body: text, raw };
}

/** `["/bin/sh","-c","cmd"]` (exec form) → `cmd`; `["make","install"]` → `make install`. */
function execFormToShell(text: string): string {
  if (!text.startsWith('[')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
      const args = parsed as string[];
      if (args.length >= 3 && /(?:^|\/)(?:ba|a|da)?sh$/.test(args[0]!) && args[1] === '-c') return args.slice(2).join(' ');
      return args.join(' ');
    }
  } catch {
    // Not JSON: BuildKit prints exec form with spaces between quoted items; keep it as text.
  }
  return text;
}

/** The text of a step as a Dockerfile line would read: "RUN apt-get …", "COPY /usr/local/go /usr/local/go". */
export function stepText(step: HistoryStep): string {
  return step.instruction === '' ? step.body : `${step.instruction} ${step.body}`;
}

/** A short, single-line excerpt of a step for evidence. */
export function stepExcerpt(step: HistoryStep, limit = 120): string {
  const text = stepText(step).replace(/\s+/g, ' ').trim();
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
