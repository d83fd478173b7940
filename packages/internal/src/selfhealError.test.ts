import { describe, expect, it } from 'vitest';
import { SelfhealError } from './selfhealError.js';

enum DemoCode {
  Broken = 'BROKEN',
}
class DemoError extends SelfhealError<DemoCode> {}

describe('SelfhealError', () => {
  it("carries code, message, cause and data, and is named after the package's class", () => {
    const cause = new Error('disk full');
    const error = new DemoError(DemoCode.Broken, 'cannot write /x', {
      cause,
      data: { file: '/x' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DemoError);
    expect(error.name).toBe('DemoError');
    expect(error.code).toBe('BROKEN');
    expect(error.message).toBe('cannot write /x');
    expect(error.cause).toBe(cause);
    expect(error.data).toEqual({ file: '/x' });
    expect(String(error)).toBe('DemoError: cannot write /x');
  });

  it('has no cause or data unless given', () => {
    const error = new DemoError(DemoCode.Broken, 'x');
    expect(error.cause).toBeUndefined();
    expect(error.data).toBeUndefined();
  });
});
