// Payloads the conformance checks compare byte for byte.

/** A 1×1 PNG, base64. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** A minimal WAV file (RIFF header, one silent 16-bit sample), base64. */
export const WAV_BASE64 = Buffer.from(
  Uint8Array.from([
    // biome-ignore format: a byte table reads better in rows of its fields
    0x52,
    0x49,
    0x46,
    0x46,
    0x26,
    0x00,
    0x00,
    0x00,
    0x57,
    0x41,
    0x56,
    0x45, // RIFF, size, WAVE
    0x66,
    0x6d,
    0x74,
    0x20,
    0x10,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x01,
    0x00, // fmt , 16, PCM, mono
    0x40,
    0x1f,
    0x00,
    0x00,
    0x80,
    0x3e,
    0x00,
    0x00,
    0x02,
    0x00,
    0x10,
    0x00, // 8000 Hz, 16000 B/s, 2, 16 bit
    0x64,
    0x61,
    0x74,
    0x61,
    0x02,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // data, 2 bytes, one sample
  ]),
).toString('base64');

/** Texts the scenarios expect verbatim. */
export const TEXT = {
  simple: 'This is a simple text response for testing.',
  embedded: 'This is an embedded resource content.',
  mixedIntro: 'Multiple content types test:',
  mixedJson: '{"test":"data","value":123}',
  error: 'This tool intentionally returns an error for testing',
  staticResource: 'This is the content of the static text resource.',
  watchedResource: 'Watched resource content.',
  simplePrompt: 'This is a simple prompt for testing.',
  promptResource: 'Embedded resource content for testing.',
  promptResourceAsk: 'Please process the embedded resource above.',
  promptImageAsk: 'Please analyze the image above.',
} as const;

/** Resource URIs the scenarios read. */
export const URI = {
  embedded: 'test://embedded-resource',
  mixed: 'test://mixed-content-resource',
  staticText: 'test://static-text',
  staticBinary: 'test://static-binary',
  template: 'test://template/{id}/data',
  watched: 'test://watched-resource',
} as const;
