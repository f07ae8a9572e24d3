import { describe, expect, it } from 'vitest';
import { splitShellCommands } from './shell-words.js';

describe('splitShellCommands', () => {
  it('splits on ;, &&, ||, pipes and newlines', () => {
    expect(splitShellCommands('set -eux; apt-get update && apt-get install -y gcc || true | cat\nmake')).toEqual([
      ['set', '-eux'],
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'gcc'],
      ['true'],
      ['cat'],
      ['make'],
    ]);
  });

  it('treats tabs as blanks, as joined Dockerfile continuation lines leave them', () => {
    expect(splitShellCommands('apt-get install -y \t\tg++ \t\tgcc \t;')).toEqual([['apt-get', 'install', '-y', 'g++', 'gcc']]);
  });

  it('removes quotes and keeps quoted blanks in one word', () => {
    expect(splitShellCommands(`buildDeps='gcc make' "a b" c\\ d`)).toEqual([['buildDeps=gcc make', 'a b', 'c d']]);
  });

  it('keeps command substitutions whole and unexecuted', () => {
    expect(splitShellCommands(`apt-get install -y gcc $( if apt-cache show 'x' | grep -q '^V'; then echo 'x'; fi ) make`)).toEqual([
      ['apt-get', 'install', '-y', 'gcc', "$( if apt-cache show 'x' | grep -q '^V'; then echo 'x'; fi )", 'make'],
    ]);
    expect(splitShellCommands('savedAptMark="$(apt-mark showmanual)"; echo `date`')).toEqual([
      ['savedAptMark=$(apt-mark showmanual)'],
      ['echo', '`date`'],
    ]);
  });

  it('drops redirections with their targets', () => {
    expect(splitShellCommands("apt-mark auto '.*' > /dev/null; cmd 2>&1 >>log; cat <<EOF")).toEqual([
      ['apt-mark', 'auto', '.*'],
      ['cmd'],
      ['cat'],
    ]);
  });

  it('splits case arms and subshells into their own commands', () => {
    expect(splitShellCommands("case \"$a\" in amd64) x='1';; *) exit 1 ;; esac")).toEqual([
      ['case', '$a', 'in', 'amd64'],
      ['x=1'],
      ['*'],
      ['exit', '1'],
      ['esac'],
    ]);
  });

  it('treats a word-initial # as a comment but keeps ${x##*-}', () => {
    expect(splitShellCommands('echo ${arch##*-} # note')).toEqual([['echo', '${arch##*-}']]);
  });

  it('never throws on unbalanced quotes', () => {
    expect(splitShellCommands('echo "unterminated')).toEqual([['echo', 'unterminated']]);
    expect(splitShellCommands("echo 'x")).toEqual([['echo', 'x']]);
    expect(splitShellCommands('echo $(oops')).toEqual([['echo', '$(oops']]);
  });
});
