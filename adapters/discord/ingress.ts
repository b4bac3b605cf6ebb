/**
 * Discord → Inbound: which gateway events are requests, and how they read as platform-neutral
 * requests. Interactions are acknowledged here within Discord's 3 s, before the dispatcher runs.
 */
import {
  ChannelType,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type GuildMember,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
  type APIInteractionGuildMember,
} from 'discord.js';
import { Inbound, type InboundFile, type Where, type Who } from '../../src/chat/inbound.js';
import type { CustomIds } from './custom-ids.js';
import type { InteractionRegistry } from './interactions.js';

export const DELIVERY_TTL_MS = 60 * 60_000;
export const COMMAND_NAME = 'dispatch';
export const MODAL_FIELD = 'value';

export interface IngressDeps {
  client: Client<true>;
  ids: CustomIds;
  interactions: InteractionRegistry;
  onInbound: (inbound: Inbound) => Promise<void>;
  /** Keep the request durably before it is acknowledged; false when it was delivered already. */
  accept: (keys: readonly string[], inbound: Inbound) => Promise<boolean>;
  log: (line: string) => void;
  /** How long a press on an `input:` button waits for `openInput` before it is deferred. */
  modalHoldMs: number;
}

type Member = GuildMember | APIInteractionGuildMember | null | undefined;

function groupsOf(member: Member, guildId: string | null): string[] {
  if (!member) return [];
  const ids = Array.isArray(member.roles) ? member.roles : [...(member as GuildMember).roles.cache.keys()];
  // @everyone's role id is the guild id: every member has it, so it says nothing.
  return ids.filter((id) => id !== guildId);
}

function who(user: { id: string; username: string; globalName: string | null }, member: Member, guildId: string | null): Who {
  return { id: user.id, name: user.globalName ?? user.username, groups: groupsOf(member, guildId) };
}

/** A thread's parent is the channel; the thread is the Where's thread. */
function whereOf(channel: Message['channel'] | Interaction['channel'], channelId: string, message?: string): Where {
  const inThread = channel?.isThread() ?? false;
  const parent = inThread && channel && 'parentId' in channel ? channel.parentId : null;
  return {
    surface: 'discord',
    channel: parent ?? channelId,
    ...(inThread ? { thread: channelId } : {}),
    ...(message ? { message } : {}),
  };
}

/** `<@bot>`, `<@!bot>`, and `<@&role>` for the bot's own managed role (Discord offers both in autocomplete). */
export function mentionPattern(botId: string, botRoles: string[] = []): RegExp {
  const roles = botRoles.map((id) => `|<@&${id}>`).join('');
  return new RegExp(`<@!?${botId}>${roles}`, 'g');
}

function botRolesOf(message: Message, botId: string): string[] {
  return message.mentions.roles.filter((role) => role.tags?.botId === botId).map((role) => role.id);
}

/** Hand a request to the dispatcher; false when it failed (logged). */
async function deliver(deps: IngressDeps, inbound: Inbound): Promise<boolean> {
  try {
    await deps.onInbound(Inbound.parse(inbound));
    return true;
  } catch (error) {
    deps.log(`discord: handling ${inbound.kind} ${inbound.deliveryId ?? ''} failed: ${String(error)}`);
    return false;
  }
}

/** A first delivery (a gateway RESUME can replay one), kept until handled. */
const fresh = (deps: IngressDeps, inbound: Inbound & { deliveryId: string }): Promise<boolean> => deps.accept([`discord:${inbound.deliveryId}`], inbound);

/** The message's attachments; the handle is the CDN URL (signed by Discord, opened without the bot token). */
function filesOf(message: Message): InboundFile[] {
  return [...message.attachments.values()].map((a) => ({ name: a.name, size: a.size, ...(a.contentType ? { mime: a.contentType } : {}), handle: a.url }));
}

/** A mention, a DM, or any message in a thread the bot started becomes a message request. */
export async function onMessage(deps: IngressDeps, message: Message): Promise<void> {
  if (message.author.bot) return;
  const botId = deps.client.user.id;
  const channel = message.channel;
  const isDm = channel.type === ChannelType.DM || !message.inGuild();
  const botRoles = botRolesOf(message, botId);
  const mentioned = message.mentions.users.has(botId) || botRoles.length > 0 || mentionPattern(botId).test(message.content);
  const inBotThread = channel.isThread() && channel.ownerId === botId;
  if (!isDm && !mentioned && !inBotThread) return;
  const text = message.content.replace(mentionPattern(botId, botRoles), ' ').replace(/[ \t]+/g, ' ').trim();
  const inbound = {
    kind: 'message' as const,
    who: who(message.author, message.member, message.guildId),
    where: whereOf(channel, message.channelId, message.id),
    text,
    addressed: isDm || mentioned,
    deliveryId: message.id,
    ...(message.attachments.size ? { attachments: filesOf(message) } : {}),
  };
  if (!(await fresh(deps, inbound))) return;
  await deliver(deps, inbound);
}

async function onCommand(deps: IngressDeps, interaction: ChatInputCommandInteraction): Promise<void> {
  if (interaction.commandName !== COMMAND_NAME) return;
  const inbound = {
    kind: 'message' as const,
    who: who(interaction.user, interaction.member, interaction.guildId),
    // The interaction id stands in for the request message: a post `fromMessage` it answers the command.
    where: whereOf(interaction.channel, interaction.channelId, interaction.id),
    text: (interaction.options.getString('text') ?? '').trim(),
    addressed: true,
    deliveryId: interaction.id,
  };
  if (!(await fresh(deps, inbound))) return;
  await interaction.deferReply();
  deps.interactions.addCommand(interaction);
  const handled = await deliver(deps, inbound);
  // Never leave the user looking at "thinking…" until Discord gives up on us.
  if (!handled && deps.interactions.isPendingCommand(interaction.id)) {
    deps.interactions.dropCommand(interaction.id);
    await interaction.editReply({ content: 'Something went wrong handling this request; the bot logged it. Try again in a moment.' });
  }
}

async function onComponent(deps: IngressDeps, interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
  const decoded = deps.ids.decode(interaction.customId);
  const action = interaction.isStringSelectMenu() ? deps.ids.decodeOption(interaction.values[0] ?? '') : decoded?.action;
  if (!decoded || !action) {
    await interaction.reply({ content: 'This button has expired. Ask again in the thread.', flags: MessageFlags.Ephemeral });
    return;
  }
  const inbound = {
    kind: 'action' as const,
    who: who(interaction.user, interaction.member, interaction.guildId),
    where: whereOf(interaction.channel, interaction.channelId, interaction.message.id),
    action,
    trigger: interaction.id,
    deliveryId: interaction.id,
  };
  if (!(await fresh(deps, inbound))) return;
  // A press that opens a modal must be answered with the modal itself: hold it instead of deferring.
  if (interaction.isButton() && decoded.kind === 'input-button') {
    deps.interactions.hold(interaction, deps.modalHoldMs, (held) => {
      if (!held.replied && !held.deferred) held.deferUpdate().catch((e: unknown) => deps.log(`discord: deferUpdate failed: ${String(e)}`));
    });
  } else {
    await interaction.deferUpdate();
    deps.interactions.addRecent(interaction);
  }
  await deliver(deps, inbound);
}

async function onModal(deps: IngressDeps, interaction: ModalSubmitInteraction): Promise<void> {
  const decoded = deps.ids.decode(interaction.customId);
  if (!decoded?.action || decoded.kind !== 'modal') {
    await interaction.reply({ content: 'This form has expired. Answer in the thread instead.', flags: MessageFlags.Ephemeral });
    return;
  }
  const inbound = {
    kind: 'input' as const,
    who: who(interaction.user, interaction.member, interaction.guildId),
    where: whereOf(interaction.channel, interaction.channelId ?? interaction.message?.channelId ?? interaction.user.id, interaction.message?.id),
    action: decoded.action,
    value: interaction.fields.getTextInputValue(MODAL_FIELD),
    deliveryId: interaction.id,
  };
  if (!(await fresh(deps, inbound))) return;
  if (interaction.isFromMessage()) await interaction.deferUpdate();
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  deps.interactions.addRecent(interaction);
  await deliver(deps, inbound);
}

export async function onInteraction(deps: IngressDeps, interaction: Interaction): Promise<void> {
  try {
    if (interaction.isChatInputCommand()) await onCommand(deps, interaction);
    else if (interaction.isButton() || interaction.isStringSelectMenu()) await onComponent(deps, interaction);
    else if (interaction.isModalSubmit()) await onModal(deps, interaction);
  } catch (error) {
    deps.log(`discord: interaction ${interaction.id} failed: ${String(error)}`);
  }
}
