/**
 * Splits a POSIX shell command line (a RUN body from an image's history) into simple commands,
 * each a list of words with quotes removed. It is a reader for package-manager calls, not a shell:
 *  - `;`, `&&`, `||`, `|`, `&`, newlines, `(`, `)` end a command (so `case` arms and subshells split);
 *  - quotes are removed, backslash escapes honoured, `\` + newline joins lines;
 *  - `$(…)` and backticks are kept verbatim inside the word (never executed, never split);
 *  - a `#` that starts a word comments out the rest of the line;
 *  - redirections (`> /dev/null`, `2>&1`, `<<EOF`) are dropped with their target.
 * Malformed input (an unclosed quote) never throws: the text read so far is the word.
 */
export function splitShellCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let dropNextWord = false;

  const endWord = (): void => {
    if (inWord) {
      if (dropNextWord) dropNextWord = false;
      else words.push(word);
    }
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };

  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    const next = text[index + 1];

    if (char === ' ' || char === '\t' || char === '\r') {
      endWord();
      index += 1;
    } else if (char === '\n') {
      endCommand();
      index += 1;
    } else if (char === ';' || char === '&' || char === '|' || char === '(' || char === ')') {
      endCommand();
      index += 1;
    } else if (char === '#' && !inWord) {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? text.length : newline;
    } else if (char === '\\') {
      if (next === '\n') {
        index += 2;
      } else {
        if (next !== undefined) word += next;
        inWord = true;
        index += 2;
      }
    } else if (char === "'") {
      const close = text.indexOf("'", index + 1);
      const end = close === -1 ? text.length : close;
      word += text.slice(index + 1, end);
      inWord = true;
      index = end + 1;
    } else if (char === '"') {
      const [content, end] = readDoubleQuoted(text, index + 1);
      word += content;
      inWord = true;
      index = end;
    } else if (char === '$' && next === '(') {
      const end = matchingParenthesis(text, index + 1);
      word += text.slice(index, end);
      inWord = true;
      index = end;
    } else if (char === '`') {
      const close = text.indexOf('`', index + 1);
      const end = close === -1 ? text.length : close + 1;
      word += text.slice(index, end);
      inWord = true;
      index = end;
    } else if (char === '>' || char === '<') {
      // A file-descriptor number written just before the operator (2>) is part of it.
      if (inWord && /^\d+$/.test(word)) {
        word = '';
        inWord = false;
      }
      endWord();
      index += 1;
      while (text[index] === '>' || text[index] === '<') index += 1;
      if (text[index] === '&') {
        index += 1;
        while (index < text.length && /[\d-]/.test(text[index]!)) index += 1;
      } else {
        if (text[index] === '-') index += 1; // <<-EOF
        dropNextWord = true;
      }
    } else {
      word += char;
      inWord = true;
      index += 1;
    }
  }
  endCommand();
  return commands;
}

/** Reads a double-quoted string from `start` (just after the quote); returns [content, index after]. */
function readDoubleQuoted(text: string, start: number): [string, number] {
  let content = '';
  let index = start;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"') return [content, index + 1];
    if (char === '\\' && index + 1 < text.length) {
      const next = text[index + 1]!;
      if ('"\\$`'.includes(next)) content += next;
      else if (next !== '\n') content += `\\${next}`;
      index += 2;
    } else if (char === '$' && text[index + 1] === '(') {
      const end = matchingParenthesis(text, index + 1);
      content += text.slice(index, end);
      index = end;
    } else {
      content += char;
      index += 1;
    }
  }
  return [content, text.length];
}

/** Index just after the `)` that closes the `(` at `open`, skipping quoted text; text end if none. */
function matchingParenthesis(text: string, open: number): number {
  let depth = 0;
  let index = open;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth === 0) return index + 1;
    } else if (char === "'") {
      const close = text.indexOf("'", index + 1);
      if (close === -1) return text.length;
      index = close;
    } else if (char === '"') {
      index = readDoubleQuoted(text, index + 1)[1] - 1;
    } else if (char === '\\') {
      index += 1;
    }
    index += 1;
  }
  return text.length;
}
