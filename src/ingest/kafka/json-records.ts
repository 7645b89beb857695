/** One top-level JSON value of a message, or why a stretch of it is not JSON. */
export type JsonPiece = { ok: true; value: unknown } | { ok: false; detail: string };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Splits a message into its JSON records and parses each. A message may hold one object (the
 * common case, parsed in one go), several objects one per line (pmacct, batching shippers),
 * objects run together or pretty-printed over several lines, or a top-level array of records,
 * which is flattened. Lines are tried first because JSON.parse is far faster than any scan in
 * JavaScript; only a line that does not parse is re-read by matching brackets outside strings,
 * and if that fails too, only that line is lost.
 */
export function parseJsonRecords(value: Uint8Array): JsonPiece[] {
  const bytes = Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const text = bytes.toString('utf8');
  const pieces: JsonPiece[] = [];
  const whole = tryParse(text);
  if (whole.ok) {
    pushPiece(pieces, whole);
    return pieces;
  }
  let pos = skipBlank(text, 0);
  while (pos < text.length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = text.length;
    const line = tryParse(text.slice(pos, lineEnd));
    if (line.ok) {
      pushPiece(pieces, line);
      pos = skipBlank(text, lineEnd);
      continue;
    }
    const first = text.charCodeAt(pos);
    const end = first === OPEN_BRACE || first === OPEN_BRACKET ? closingBracket(text, pos) : -1;
    const span = end < 0 ? undefined : tryParse(text.slice(pos, end));
    if (span?.ok) {
      pushPiece(pieces, span);
      pos = skipBlank(text, end);
      continue;
    }
    const unterminated = end < 0 && (first === OPEN_BRACE || first === OPEN_BRACKET);
    pieces.push(
      unterminated ? { ok: false, detail: `expected JSON: unterminated value at offset ${pos}` } : line,
    );
    pos = skipBlank(text, lineEnd);
  }
  return pieces;
}

function tryParse(text: string): JsonPiece {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, detail: `expected JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Adds a parsed value: a top-level array contributes its elements, anything else itself. */
function pushPiece(pieces: JsonPiece[], piece: JsonPiece): void {
  if (piece.ok && Array.isArray(piece.value)) {
    for (const item of piece.value) pieces.push({ ok: true, value: item });
  } else {
    pieces.push(piece);
  }
}

/** Index just past the bracket closing the one at `start`, or -1 when the text ends first. */
function closingBracket(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Skips whitespace and a byte order mark. */
function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) i++;
    else break;
  }
  return i;
}
