/**
 * The interactions the adapter still holds, per adapter instance:
 * - commands: a `/dispatch` whose deferred reply is still "thinking…"; the dispatcher's first post
 *   for that channel becomes that reply, so the user sees their command answered.
 * - held: a button press whose action needs a modal (`input:`): a modal can only be the FIRST
 *   response, so it is not deferred until `openInput` shows the modal or the hold runs out.
 * - recent: every acknowledged interaction, so an ephemeral reply can go to that user as a follow-up.
 * An interaction token works for 15 minutes; we stop using one a little before that.
 */
import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  ModalSubmitInteraction,
} from 'discord.js';

export const TOKEN_LIFETIME_MS = 14 * 60_000;

export type Repliable = ChatInputCommandInteraction | MessageComponentInteraction | ModalSubmitInteraction;

const alive = (i: { createdTimestamp: number }, now: number): boolean => now - i.createdTimestamp < TOKEN_LIFETIME_MS;

export class InteractionRegistry {
  private readonly commands: ChatInputCommandInteraction[] = [];
  private readonly held = new Map<string, { interaction: ButtonInteraction; timer: NodeJS.Timeout }>();
  private readonly recent = new Map<string, Repliable>();
  /** Messages posted as an interaction's reply: edited through its webhook while the token lives. */
  private readonly replies = new Map<string, ChatInputCommandInteraction>();

  constructor(private readonly now: () => number = Date.now) {}

  addCommand(interaction: ChatInputCommandInteraction): void {
    this.commands.push(interaction);
    this.addRecent(interaction);
  }

  /**
   * The pending command a post answers: the one named by `fromMessage` (its interaction id), or
   * without `fromMessage` the oldest pending one in `channelId`. Expired ones are dropped; the one returned is
   * no longer pending.
   */
  takeCommand(channelId: string, fromMessage?: string): ChatInputCommandInteraction | undefined {
    this.prune();
    // A post naming a user's message answers that message, never someone else's pending command.
    const index = fromMessage !== undefined ? this.commands.findIndex((c) => c.id === fromMessage) : this.commands.findIndex((c) => c.channelId === channelId);
    if (index < 0) return undefined;
    const [command] = this.commands.splice(index, 1);
    return command;
  }

  /** Whether `id` was a /dispatch interaction we saw (its id is not a message id). */
  wasCommand(id: string): boolean {
    return this.recent.get(id)?.isChatInputCommand() ?? false;
  }

  noteReply(messageId: string, interaction: ChatInputCommandInteraction): void {
    this.replies.set(messageId, interaction);
  }

  /** The interaction whose reply is `messageId`, while its token still works. */
  replyOwner(messageId: string): ChatInputCommandInteraction | undefined {
    const owner = this.replies.get(messageId);
    if (owner && alive(owner, this.now())) return owner;
    this.replies.delete(messageId);
    return undefined;
  }

  hold(interaction: ButtonInteraction, ms: number, release: (i: ButtonInteraction) => void): void {
    const timer = setTimeout(() => {
      this.held.delete(interaction.id);
      release(interaction);
    }, ms);
    timer.unref();
    this.held.set(interaction.id, { interaction, timer });
    this.addRecent(interaction);
  }

  /** Take a held press (for a modal); undefined when it was released or never held. */
  takeHeld(id: string): ButtonInteraction | undefined {
    const entry = this.held.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.held.delete(id);
    return entry.interaction;
  }

  addRecent(interaction: Repliable): void {
    this.recent.set(interaction.id, interaction);
  }

  /** The latest live interaction of `user` in one of `channelIds`, for an ephemeral answer. */
  latestFor(user: string, channelIds: string[]): Repliable | undefined {
    this.prune();
    const matches = [...this.recent.values()].filter((i) => i.user.id === user && i.channelId !== null && channelIds.includes(i.channelId));
    return matches.at(-1);
  }

  /** A command answered some other way (ephemerally) is no longer waiting for a post. */
  dropCommand(id: string): void {
    const index = this.commands.findIndex((c) => c.id === id);
    if (index >= 0) this.commands.splice(index, 1);
  }

  isPendingCommand(id: string): boolean {
    return this.commands.some((c) => c.id === id);
  }

  clear(): void {
    for (const { timer } of this.held.values()) clearTimeout(timer);
    this.held.clear();
    this.commands.length = 0;
    this.recent.clear();
    this.replies.clear();
  }

  private prune(): void {
    const now = this.now();
    for (let i = this.commands.length - 1; i >= 0; i -= 1) {
      const c = this.commands[i];
      if (c && !alive(c, now)) this.commands.splice(i, 1);
    }
    for (const [id, i] of this.recent) if (!alive(i, now)) this.recent.delete(id);
  }
}
