import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/chat/action.js';
import type { Inbound, InboundFile } from '../../src/chat/inbound.js';
import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, MessageRef } from '../../src/chat/surface.js';

/** One surface under test, with what a person on it can do: read a message, press a choice. */
export interface SurfaceHarness {
  surface: ChatSurface;
  /** A channel the bot may post in. */
  channel: string;
  /** What a person reads in the message now (after any edits). */
  read(ref: MessageRef): Promise<string>;
  /** Press the button or pick the menu option labelled `label`, as a person would; what reached the dispatcher. */
  press(ref: MessageRef, label: string): Promise<Inbound>;
  /** The files a person gets with the message: their bytes, or (beside the runner) their paths. */
  attached(ref: MessageRef): Promise<AttachedFile[]>;
  /** On a surface whose requests carry files: a file a person shares, as the adapter hands it on, and one on a host that is not the platform's. */
  share?(name: string, bytes: Buffer): { file: InboundFile; foreign: InboundFile };
  close(): Promise<void>;
}

export type AttachedFile = { name: string; bytes: Uint8Array } | { name: string; path: string };

/**
 * What every ChatSurface must do, as a person on it would notice: a request's replies stay in
 * one thread, a status is edited in place, and every choice pressed comes back to the
 * dispatcher as exactly the action it was offered with, however long.
 */
export function runSurfaceContract(name: string, start: () => Promise<SurfaceHarness>, opts: { takesFiles?: boolean } = {}): void {
  describe(`ChatSurface contract: ${name}`, () => {
    let harness: SurfaceHarness | undefined;
    const open = async (): Promise<SurfaceHarness> => {
      harness = await start();
      return harness;
    };
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('keeps a request together: a post that starts a thread names it, and a post into it lands there', async () => {
      const h = await open();
      const first = await h.surface.post({ channel: h.channel, startThread: true }, { text: 'Dispatching **auth-review** using opus…' });
      expect(first.thread).toBeTruthy();
      const next = await h.surface.post({ channel: h.channel, thread: first.thread as string }, { title: 'auth-review', text: 'queued' });
      expect(next.thread).toBe(first.thread);
    });

    it('edits a message in place: people read the new content, not the old', async () => {
      const h = await open();
      const ref = await h.surface.post({ channel: h.channel, startThread: true }, { title: 'auth-review', text: 'running', progress: { done: 1, total: 3 } });
      await h.surface.edit(ref, { title: 'auth-review', text: 'done', progress: { done: 3, total: 3 } });
      const shown = await h.read(ref);
      expect(shown).toContain('done');
      expect(shown).toContain('3/3');
      expect(shown).not.toContain('running');
    });

    it('hands back the typed action of the choice pressed, one too long for the platform included', async () => {
      const h = await open();
      const long: Action = { type: 'recover', task: `task-${'t'.repeat(55)}`, model: `model-${'m'.repeat(70)}` };
      const reply: Reply = {
        text: "I'll dispatch this using **opus**. Sound good?",
        buttons: [
          { action: { type: 'confirm', prompt: 'p-42' }, label: 'Dispatch with opus', style: 'primary' },
          { action: long, label: 'Retry with the long one' },
          { action: { type: 'cancel-prompt', prompt: 'p-42' }, label: 'Cancel' },
        ],
        select: { placeholder: 'Pick another model', options: [{ label: 'sonnet', action: { type: 'pick-model', prompt: 'p-42', model: 'sonnet' } }] },
      };
      // A fresh prompt for each press: on some surfaces (the terminal) a prompt's choices count once.
      for (const [label, action] of [
        ['Dispatch with opus', { type: 'confirm', prompt: 'p-42' }],
        ['Retry with the long one', long],
        ['sonnet', { type: 'pick-model', prompt: 'p-42', model: 'sonnet' }],
      ] as const) {
        const ref = await h.surface.post({ channel: h.channel, startThread: true }, reply);
        expect(await h.press(ref, label)).toMatchObject({ kind: 'action', action });
      }
    });

    it("posts a reply's files with it, byte for byte (or, beside the runner, names where each is)", async () => {
      const h = await open();
      const first = await h.surface.post({ channel: h.channel, startThread: true }, { text: 'Dispatching **chart**…' });
      const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 256 }, (_, i) => 255 - i)]);
      const path = '/srv/app/.dispatch/tasks/chart/out/chart.png';
      const ref = await h.surface.post({ channel: h.channel, thread: first.thread as string }, { text: '**chart** is done.', attachments: [{ filename: 'chart.png', content: bytes, path }] });
      const files = await h.attached(ref);
      expect(files.map((f) => f.name)).toEqual(['chart.png']);
      const [file] = files;
      if (file && 'bytes' in file) expect(Buffer.from(file.bytes).equals(Buffer.from(bytes))).toBe(true);
      else expect(file?.path).toBe(path);
    });

    if (opts.takesFiles) {
      it('downloads a file shared with a request byte for byte, within the limit, and only from the platform', async () => {
        const h = await open();
        const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
        const shared = h.share?.('shot.png', bytes);
        if (!shared || !h.surface.download) throw new Error('a surface that takes files shares and downloads them');
        const got = await h.surface.download(shared.file, 10_000);
        expect(got.ok && Buffer.from(got.data).equals(bytes)).toBe(true);
        expect(await h.surface.download(shared.file, 1000)).toMatchObject({ ok: false, reason: 'too-big' });
        expect(await h.surface.download(shared.foreign, 10_000)).toMatchObject({ ok: false, reason: 'refused' });
      });
    }
  });
}
