import { InvalidQuantityError } from './errors.js';
import type { UnitSystem } from './policy.js';

/** Multipliers of the suffixes Kubernetes quantities use for bytes, plus upper-case K. */
const SUFFIXES: Record<string, { factor: number; units: UnitSystem }> = {
  Ki: { factor: 2 ** 10, units: 'binary' },
  Mi: { factor: 2 ** 20, units: 'binary' },
  Gi: { factor: 2 ** 30, units: 'binary' },
  Ti: { factor: 2 ** 40, units: 'binary' },
  k: { factor: 1e3, units: 'decimal' },
  K: { factor: 1e3, units: 'decimal' },
  M: { factor: 1e6, units: 'decimal' },
  G: { factor: 1e9, units: 'decimal' },
  T: { factor: 1e12, units: 'decimal' },
};

const QUANTITY = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/;

export interface Quantity {
  bytes: number;
  /** The unit system the quantity was written in; a plain byte count counts as binary. */
  units: UnitSystem;
}

/**
 * Parses a byte count (integer, or integer string) or a quantity with a suffix
 * (Ki Mi Gi Ti binary, k/K M G T decimal; a fraction like 1.5Gi is allowed and rounded up
 * to whole bytes, as Kubernetes does).
 */
export function parseQuantityWithUnits(input: string | number): Quantity {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) {
      throw new InvalidQuantityError(String(input), 'a byte count must be a non-negative integer');
    }
    return { bytes: input, units: 'binary' };
  }
  const text = input.trim();
  const match = QUANTITY.exec(text);
  if (!match) {
    throw new InvalidQuantityError(input, 'expected a byte count or a number with Ki, Mi, Gi, Ti, K, M, G or T (e.g. 300Mi)');
  }
  const [, digits = '', suffix = ''] = match;
  if (suffix === '') {
    if (digits.includes('.')) throw new InvalidQuantityError(input, 'a byte count must be a whole number');
    const bytes = Number(digits);
    if (!Number.isSafeInteger(bytes)) throw new InvalidQuantityError(input, 'too large');
    return { bytes, units: 'binary' };
  }
  const unit = SUFFIXES[suffix];
  if (!unit) {
    const hint = suggestSuffix(suffix);
    throw new InvalidQuantityError(input, `unknown unit ${JSON.stringify(suffix)}${hint ? `; did you mean ${digits}${hint}?` : ''}`);
  }
  const bytes = Math.ceil(Number(digits) * unit.factor);
  if (!Number.isSafeInteger(bytes)) throw new InvalidQuantityError(input, 'too large');
  return { bytes, units: unit.units };
}

/** parseQuantityWithUnits, bytes only. */
export function parseQuantity(input: string | number): number {
  return parseQuantityWithUnits(input).bytes;
}

// People write "300MB" or "1GiB" or "300mi"; point them at the spelling that parses.
function suggestSuffix(suffix: string): string | undefined {
  const stripped = suffix.replace(/B$/i, '');
  if (stripped in SUFFIXES) return stripped;
  const binary = stripped.length === 2 && /i$/i.test(stripped) ? `${stripped[0]!.toUpperCase()}i` : undefined;
  if (binary && binary in SUFFIXES) return binary;
  const decimal = stripped.toUpperCase();
  return decimal in SUFFIXES ? decimal : undefined;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/**
 * Formats a byte count for a message: "412 MiB", "1.5 GiB", "87.3 MB". Three significant digits
 * are enough to see what to cut; the exact count is in the evidence.
 */
export function formatBytes(bytes: number, units: UnitSystem = 'binary'): string {
  const base = units === 'binary' ? 1024 : 1000;
  const names = units === 'binary' ? BINARY_UNITS : DECIMAL_UNITS;
  let value = bytes;
  let index = 0;
  while (Math.abs(value) >= base && index < names.length - 1) {
    value /= base;
    index += 1;
  }
  if (index === 0) return `${bytes} B`;
  let text = roundForDisplay(value);
  // 1023.9 KiB rounds to "1024 KiB": say "1 MiB" instead.
  if (Number(text) >= base && index < names.length - 1) {
    index += 1;
    text = roundForDisplay(value / base);
  }
  return `${text} ${names[index]}`;
}

function roundForDisplay(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  const fixed = value.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
