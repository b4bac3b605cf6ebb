import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { messageOf } from '../../src/errors/index.js';

type WebClient = webApi.WebClient;

/** Slack user-group ids (`S…`); anything else an access rule names is not Slack's to look up. */
const GROUP_ID = /^S[A-Z0-9]{2,40}$/;
/** Membership is looked up again after this long, even without a change event (one may be missed). */
export const GROUP_TTL_MS = 60_000;

const Members = z.object({ users: z.array(z.string()).default([]) });

interface Entry {
  members: Promise<Set<string>>;
  at: number;
}

/**
 * Who is in which Slack user group. No Slack payload says which groups a user is in, so the
 * groups an access rule names are looked up with `usergroups.users.list` (scope `usergroups:read`),
 * kept for a short while, and forgotten when Slack says they changed (`subteam_members_changed`).
 * A lookup that fails counts as "not a member": access fails closed, and the failure is logged.
 */
export class UserGroups {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly client: WebClient,
    private readonly log: (line: string) => void,
    private readonly ttlMs = GROUP_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Of `candidates`, the Slack user groups `user` is in. */
  async groupsOf(user: string, candidates: readonly string[]): Promise<string[]> {
    const groups = candidates.filter((c) => GROUP_ID.test(c));
    const member = await Promise.all(groups.map(async (group) => (await this.members(group)).has(user)));
    return groups.filter((_, i) => member[i]);
  }

  /** Slack said this group's members changed: the next question asks Slack again. */
  changed(group: string): void {
    this.cache.delete(group);
  }

  private members(group: string): Promise<Set<string>> {
    const hit = this.cache.get(group);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.members;
    // One lookup per group at a time: concurrent requests share it.
    const members = this.fetch(group);
    this.cache.set(group, { members, at: this.now() });
    return members;
  }

  private async fetch(group: string): Promise<Set<string>> {
    try {
      const answer = Members.parse(await this.client.usergroups.users.list({ usergroup: group }));
      return new Set(answer.users);
    } catch (error) {
      this.cache.delete(group);
      this.log(`slack: usergroups.users.list for ${group} failed, so nobody counts as in it (the app needs the usergroups:read scope): ${messageOf(error)}`);
      return new Set();
    }
  }
}
