/**
 * ChatSurface on Discord: post, edit, ephemeral and openInput, through discord.js (its REST
 * queue handles per-route buckets; edit coalescing is the lead's wrapper, not ours).
 */
import {
  ActionRowBuilder,
  ChannelType,
  DiscordAPIError,
  MessageFlags,
  RESTJSONErrorCodes,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ChatInputCommandInteraction,
  type Client,
  type Message,
  type SendableChannels,
  type ModalActionRowComponentBuilder,
} from 'discord.js';
import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, InputRequest, MessageRef, PostTarget } from '../../src/chat/surface.js';
import type { CustomIds } from './custom-ids.js';
import { MODAL_FIELD } from './ingress.js';
import type { InteractionRegistry } from './interactions.js';
import { fit, renderReply, threadName, type RenderedMessage } from './render.js';

const MODAL_TITLE_MAX = 45;
const INPUT_LABEL_MAX = 45;
const INPUT_VALUE_MAX = 4000;

export interface EgressDeps {
  client: Client<true>;
  ids: CustomIds;
  interactions: InteractionRegistry;
  log: (line: string) => void;
}

export class DiscordEgress implements ChatSurface {
  readonly name = 'discord' as const;

  constructor(private readonly deps: EgressDeps) {}

  get botUserId(): string {
    return this.deps.client.user.id;
  }

  async post(target: PostTarget, reply: Reply): Promise<MessageRef> {
    const where = target.thread ?? target.channel;
    const command = target.unprompted ? undefined : this.deps.interactions.takeCommand(where, target.fromMessage);
    if (command) return this.answerCommand(command, target, reply);
    const rendered = renderReply(reply, this.deps.ids);
    if (target.thread) {
      const message = await this.send(target.thread, rendered);
      return { surface: 'discord', channel: target.channel, thread: target.thread, id: message.id };
    }
    if (!target.startThread) {
      const message = await this.send(target.channel, rendered);
      return { surface: 'discord', channel: target.channel, id: message.id };
    }
    return this.postWithThread(target.channel, target.fromMessage, rendered, reply);
  }

  /** Post in a new thread: from the user's request message when given, else from the bot's own post. */
  private async postWithThread(channelId: string, fromMessage: string | undefined, rendered: RenderedMessage, reply: Reply): Promise<MessageRef> {
    const fromUser = fromMessage !== undefined && !this.deps.interactions.wasCommand(fromMessage);
    // An unknown message is expected here (a /dispatch confirmed after a restart names its
    // interaction, a request may be deleted): the bot's own post carries the thread instead.
    const userThread = fromUser ? await this.startThread(channelId, fromMessage, reply, [RESTJSONErrorCodes.UnknownMessage]) : undefined;
    if (userThread) {
      const message = await this.send(userThread, rendered);
      return { surface: 'discord', channel: channelId, thread: userThread, id: message.id };
    }
    const message = await this.send(channelId, rendered);
    const botThread = await this.startThread(channelId, message.id, reply);
    return { surface: 'discord', channel: channelId, ...(botThread ? { thread: botThread } : {}), id: message.id };
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const rendered = renderReply(reply, this.deps.ids);
    // Attachments are replaced, not added to, on every edit.
    const payload = { ...rendered, attachments: [] };
    const owner = this.deps.interactions.replyOwner(ref.id);
    if (owner) {
      await owner.editReply(payload);
      return;
    }
    // A message that starts a thread has the thread's id and lives in the parent channel.
    const home = ref.thread && ref.thread !== ref.id ? ref.thread : ref.channel;
    const channel = await this.sendable(home);
    await channel.messages.edit(ref.id, payload);
  }

  async ephemeral(target: PostTarget, user: string, reply: Reply): Promise<void> {
    const rendered = renderReply(reply, this.deps.ids);
    const channels = [target.thread, target.channel].filter((c): c is string => c !== undefined);
    const live = this.deps.interactions.latestFor(user, channels);
    if (live) {
      const flags = MessageFlags.Ephemeral;
      if (!live.replied && !live.deferred) {
        this.deps.interactions.takeHeld(live.id);
        await live.reply({ ...rendered, flags });
        return;
      }
      if (live.isChatInputCommand() && this.deps.interactions.isPendingCommand(live.id)) {
        // The first follow-up of a deferred reply would replace the public "thinking…" reply and so be
        // public too: remove the placeholder, then the follow-up is a new, private message.
        this.deps.interactions.dropCommand(live.id);
        await live.deleteReply().catch((e: unknown) => this.deps.log(`discord: deleteReply failed: ${String(e)}`));
      }
      await live.followUp({ ...rendered, flags });
      return;
    }
    // No live interaction: a normal message that names the user is the closest Discord has.
    const named: RenderedMessage = { ...rendered, content: `<@${user}> ${rendered.content}`.trim(), allowedMentions: { parse: [], users: [user] } };
    await this.send(target.thread ?? target.channel, named);
  }

  /** discord.com/channels/<guild or @me>/<channel>/<message>: where the message lives. */
  async permalink(ref: MessageRef): Promise<string | undefined> {
    const home = ref.thread && ref.thread !== ref.id ? ref.thread : ref.channel;
    const channel = this.deps.client.channels.cache.get(home) ?? (await this.deps.client.channels.fetch(home).catch(() => null));
    if (!channel) return undefined;
    const guild = 'guildId' in channel && channel.guildId ? channel.guildId : '@me';
    return `https://discord.com/channels/${guild}/${home}/${ref.id}`;
  }

  async openInput(trigger: string, request: InputRequest): Promise<boolean> {
    const interaction = this.deps.interactions.takeHeld(trigger);
    if (!interaction || interaction.replied || interaction.deferred) return false;
    const input = new TextInputBuilder()
      .setCustomId(MODAL_FIELD)
      .setLabel(fit(request.label, INPUT_LABEL_MAX))
      .setStyle(request.multiline ? TextInputStyle.Paragraph : TextInputStyle.Short)
      .setRequired(true);
    if (request.initial) input.setValue(fit(request.initial, INPUT_VALUE_MAX));
    const modal = new ModalBuilder()
      .setCustomId(this.deps.ids.encode('modal', request.action))
      .setTitle(fit(request.title, MODAL_TITLE_MAX))
      .addComponents(new ActionRowBuilder<ModalActionRowComponentBuilder>().addComponents(input));
    try {
      await interaction.showModal(modal);
      return true;
    } catch (error) {
      this.deps.log(`discord: showModal failed: ${String(error)}`);
      return false;
    }
  }

  /** The command's "thinking…" reply becomes this post; a thread hangs from it when asked. */
  private async answerCommand(command: ChatInputCommandInteraction, target: PostTarget, reply: Reply): Promise<MessageRef> {
    const message = await command.editReply(renderReply(reply, this.deps.ids));
    this.deps.interactions.noteReply(message.id, command);
    const canThread = target.startThread === true && target.thread === undefined && command.channel?.isThread() !== true;
    const thread = canThread ? await this.startThread(message.channelId, message.id, reply) : target.thread;
    return { surface: 'discord', channel: target.channel, ...(thread ? { thread } : {}), id: message.id };
  }

  private async sendable(channelId: string): Promise<SendableChannels> {
    const channel = await this.deps.client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`discord: channel ${channelId} is not one the bot can post in`);
    return channel;
  }

  private async send(channelId: string, rendered: RenderedMessage): Promise<Message> {
    return (await this.sendable(channelId)).send(rendered);
  }

  /** Start a thread from a message (the user's request or the bot's post); undefined when Discord refuses (logged unless `expected`). */
  private async startThread(channelId: string, messageId: string, reply: Reply, expected: readonly number[] = []): Promise<string | undefined> {
    try {
      const channel = await this.deps.client.channels.fetch(channelId);
      if (channel?.type !== ChannelType.GuildText && channel?.type !== ChannelType.GuildAnnouncement) return undefined;
      const thread = await channel.threads.create({ startMessage: messageId, name: threadName(reply) });
      return thread.id;
    } catch (error) {
      const quiet = error instanceof DiscordAPIError && typeof error.code === 'number' && expected.includes(error.code);
      if (!quiet) this.deps.log(`discord: starting a thread from message ${messageId} failed: ${String(error)}`);
      return undefined;
    }
  }
}
