// The few WebAssembly globals lineLocator.ts uses: Node has them, but @types/node 20 does not
// declare them (TypeScript's lib.dom does, and this package does not load the DOM types).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
