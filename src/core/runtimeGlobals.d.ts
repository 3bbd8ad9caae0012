// The few globals that core (and the protocol) use and that every host they run in has:
// browsers and Node ≥ 18 alike. Declared here rather than taking in the DOM or Node types,
// so anything else (fs, document, Buffer) stays a type error in these layers.

declare function atob(data: string): string;
declare function btoa(data: string): string;
declare function setTimeout(handler: () => void, ms?: number): unknown;
declare function clearTimeout(id: unknown): void;
// `var`, not `const`: core reads it as `globalThis.crypto`.
declare var crypto: { randomUUID(): string; getRandomValues<T extends Uint8Array>(array: T): T };
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
declare class URL {
  constructor(url: string, base?: string);
  readonly href: string;
  readonly protocol: string;
  readonly host: string;
  readonly pathname: string;
  readonly search: string;
}
