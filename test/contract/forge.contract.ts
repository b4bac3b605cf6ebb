import { afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import type { Forge } from '../../src/forge/port.js';

/**
 * What every Forge must do, as the bot relies on it: name the repository of a remote on its own
 * host (and no other), open one pull request per branch however often it is asked, refuse one
 * whose branch is not there, read an issue, list the review remarks still open, and turn every
 * refusal into a ForgeError that names what to fix and never carries the token.
 */
export interface ForgeWorld {
  forge: Forge;
  /** The token the forge was given (it must appear in no message). */
  token: string;
  /** A git remote of a repository on this forge, and one on another host. */
  remote: string;
  foreignRemote: string;
  /** The repository's default branch. */
  defaultBranch: string;
  /** Make `branch` exist in the repository (as a push would). */
  pushBranch(branch: string): void;
  addIssue(number: number, title: string, body: string): void;
  /** Review remarks on pull request `pr`: line comments (resolved or not) and a review asking for changes. */
  review(pr: number, comments: { resolved: boolean; path: string; line: number; author: string; body: string }[], changesRequested?: { author: string; body: string }): void;
  /** Every later API call is answered with `status` until `heal`. */
  failWith(status: number): void;
  heal(): void;
  close(): Promise<void>;
}

export function runForgeContract(name: string, make: () => Promise<ForgeWorld>): void {
  describe(`Forge contract: ${name}`, () => {
    const worlds: ForgeWorld[] = [];
    afterEach(async () => {
      for (const w of worlds.splice(0)) await w.close();
    });
    const world = async () => {
      const w = await make();
      worlds.push(w);
      return w;
    };

    it('names the repository of a remote on its host, and nothing for another host or a path', async () => {
      const w = await world();
      const repo = w.forge.repoOf(w.remote);
      expect(repo?.owner).toBeTruthy();
      expect(repo?.name).toBeTruthy();
      expect(w.forge.repoOf(w.foreignRemote)).toBeUndefined();
      expect(w.forge.repoOf('/srv/git/widgets.git')).toBeUndefined();
    });

    it('opens one pull request per branch, however often asked, against the default branch', async () => {
      const w = await world();
      const repo = w.forge.repoOf(w.remote);
      if (!repo) throw new Error('no repo');
      w.pushBranch('dispatch/first');
      const ask = { head: 'dispatch/first', title: 'Add a changelog', body: 'What changed.', draft: true };
      const pr = await w.forge.openPullRequest(repo, ask);
      expect(pr).toMatchObject({ head: 'dispatch/first', base: w.defaultBranch, draft: true });
      expect(pr.url).toMatch(/^https?:\/\//);
      expect(await w.forge.openPullRequest(repo, ask)).toEqual(pr);
      expect(await w.forge.findPullRequest(repo, 'dispatch/first')).toEqual(pr);
      expect(await w.forge.findPullRequest(repo, 'dispatch/other')).toBeUndefined();
    });

    it('refuses a pull request for a branch that is not in the repository', async () => {
      const w = await world();
      const repo = w.forge.repoOf(w.remote);
      if (!repo) throw new Error('no repo');
      const error = await w.forge.openPullRequest(repo, { head: 'dispatch/never-pushed', title: 't', body: 'b', draft: false }).catch((e: unknown) => e);
      expect(hasCode(error, 'forge')).toBe(true);
      expect(await w.forge.findPullRequest(repo, 'dispatch/never-pushed')).toBeUndefined();
    });

    it('reads an issue, and says when there is none', async () => {
      const w = await world();
      const repo = w.forge.repoOf(w.remote);
      if (!repo) throw new Error('no repo');
      w.addIssue(7, 'Login fails on Safari', 'Safari drops the cookie.');
      expect(await w.forge.issue(repo, 7)).toMatchObject({ number: 7, title: 'Login fails on Safari', body: 'Safari drops the cookie.' });
      const missing = await w.forge.issue(repo, 8).catch((e: unknown) => e);
      expect(hasCode(missing, 'forge')).toBe(true);
      expect(String((missing as Error).message)).toMatch(/#8|issue/);
    });

    it('lists the review remarks still open: unresolved line comments and a review asking for changes', async () => {
      const w = await world();
      const repo = w.forge.repoOf(w.remote);
      if (!repo) throw new Error('no repo');
      w.pushBranch('dispatch/reviewed');
      const pr = await w.forge.openPullRequest(repo, { head: 'dispatch/reviewed', title: 't', body: 'b', draft: true });
      w.review(
        pr.number,
        [
          { resolved: true, path: 'a.ts', line: 1, author: 'carol', body: 'done already' },
          { resolved: false, path: 'b.ts', line: 9, author: 'dave', body: 'rename this' },
        ],
        { author: 'erin', body: 'Needs tests.' },
      );
      const comments = await w.forge.unresolvedReviewComments(repo, pr.number);
      expect(comments).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ author: 'dave', body: 'rename this', path: 'b.ts', line: 9 }),
          expect.objectContaining({ author: 'erin', body: 'Needs tests.' }),
        ]),
      );
      expect(comments.map((c) => c.body)).not.toContain('done already');
    });

    it('turns a refused token and a failing forge into ForgeErrors that name the fix and never the token', async () => {
      const w = await world();
      const repo = w.forge.repoOf(w.remote);
      if (!repo) throw new Error('no repo');
      w.pushBranch('dispatch/failing');
      for (const status of [401, 403, 404, 500, 502]) {
        w.failWith(status);
        const error = await w.forge.openPullRequest(repo, { head: 'dispatch/failing', title: 't', body: 'b', draft: true }).catch((e: unknown) => e);
        w.heal();
        expect(hasCode(error, 'forge'), `status ${status}`).toBe(true);
        const message = (error as Error).message;
        expect(message, `status ${status}`).toMatch(new RegExp(`${status}`));
        expect(message).not.toContain(w.token);
        expect(message).not.toContain('\n');
      }
    });
  });
}
