/** The protocol's version and size limits (see protocol.ts, which re-exports them). */
export const PROTOCOL_VERSION = 1;

/** Size limits: no single message above maxMessageBytes; a result's arrays in all within maxResultBytes. */
export const LIMITS = {
  maxMessageBytes: 1 << 20,
  maxResultBytes: 4 << 20,
  /** Arrays up to this many elements are sent whole (if the result budget allows). */
  maxInlineElements: 65536,
  /** A downsampled preview holds at most this many elements. */
  maxPreviewElements: 65536,
} as const;
