import { matchesGlob } from '../glob.js';
import { familiarName, parseImageName } from './image-name.js';

/**
 * The forms under which a base may be named in `allowedBases`: as found ("maven (JDK)",
 * "golang:1.22"), familiar and normalized (docker.io/library/golang:1.22), and without the tag so a
 * glob naming a repository ("golang", "docker.io/library/golang") covers every tag.
 */
export function nameForms(name: string): string[] {
  const forms = new Set([name]);
  if (!name.includes(' ')) {
    const parsed = parseImageName(name);
    forms.add(familiarName(parsed));
    forms.add(parsed.familiarRepository);
    forms.add(parsed.repository);
    if (parsed.tag !== undefined) forms.add(`${parsed.repository}:${parsed.tag}`);
  }
  return [...forms];
}

/** The first glob of `allowedBases` that matches one of the names, or undefined. */
export function allowedBy(allowedBases: readonly string[], names: readonly string[]): string | undefined {
  const forms = names.flatMap(nameForms);
  return allowedBases.find((glob) => forms.some((form) => matchesGlob(glob, form)));
}
