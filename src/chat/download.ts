/**
 * What became of one attached file a surface was asked to fetch: its bytes, or why there are
 * none (over the size limit, a host that is not the platform's, a failed download).
 */
export type Download =
  | { ok: true; data: Uint8Array }
  /** `bytes`: the size declared, or how many bytes had arrived when the download was cut off. */
  | { ok: false; reason: 'too-big'; bytes: number }
  | { ok: false; reason: 'refused' | 'failed'; detail: string };
