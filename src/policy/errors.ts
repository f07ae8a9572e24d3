/** Base of every error the policy engine throws; `code` is stable for callers and tests. */
export class PolicyEngineError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A size was not a byte count or a quantity such as 300Mi or 1.5G. */
export class InvalidQuantityError extends PolicyEngineError {
  readonly input: string;

  constructor(input: string, reason: string) {
    super('INVALID_QUANTITY', `invalid quantity ${JSON.stringify(input)}: ${reason}`);
    this.input = input;
  }
}
