import type { webApi } from '@slack/bolt';
import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, InputRequest, MessageRef, PostTarget } from '../../src/chat/surface.js';
import { messageOf } from '../../src/errors/index.js';
import { decodeTrigger, inputModal } from './modal.js';
import { renderPost, renderSingle, type SlackFile } from './render.js';
import { cannotPostThere, type CommandResponses } from './responses.js';

type WebClient = webApi.WebClient;

/**
 * The ChatSurface on Slack's Web API. Edits and ephemerals log failures rather than throw (a
 * status that could not be refreshed is not worth crashing a task over); a post that fails
 * throws, because the caller has no message to refer to afterwards.
 */
export function slackSurface(client: WebClient, log: (line: string) => void, responses: CommandResponses): ChatSurface {
  return {
    name: 'slack',
    async post(target: PostTarget, reply: Reply): Promise<MessageRef> {
      try {
        return await postReply(client, target, reply, log);
      } catch (error) {
        if (cannotPostThere(error)) {
          const told = await responses
            .tell(target.channel, "I can't post in this channel yet. Invite me with `/invite @dispatch` (or use me in a channel I'm in), then send the request again.")
            .catch(() => false);
          log(`slack: cannot post in ${target.channel} (${messageOf(error)})${told ? '; told the user through the command response' : ''}`);
        }
        throw error;
      }
    },

    async edit(ref: MessageRef, reply: Reply): Promise<void> {
      const message = renderSingle(reply);
      try {
        await client.chat.update({ channel: ref.channel, ts: ref.id, text: message.text, blocks: message.blocks });
      } catch (error) {
        log(`slack: chat.update ${ref.channel}/${ref.id} failed: ${messageOf(error)}`);
      }
    },

    async ephemeral(target: PostTarget, user: string, reply: Reply): Promise<void> {
      const message = renderSingle(reply);
      try {
        await client.chat.postEphemeral({
          channel: target.channel,
          user,
          text: message.text,
          blocks: message.blocks,
          ...(target.thread ? { thread_ts: target.thread } : {}),
        });
      } catch (error) {
        log(`slack: chat.postEphemeral to ${user} in ${target.channel} failed: ${messageOf(error)}`);
      }
    },

    async permalink(ref: MessageRef): Promise<string | undefined> {
      try {
        return (await client.chat.getPermalink({ channel: ref.channel, message_ts: ref.id })).permalink;
      } catch (error) {
        log(`slack: chat.getPermalink ${ref.channel}/${ref.id} failed: ${messageOf(error)}`);
        return undefined;
      }
    },

    async openInput(trigger: string, request: InputRequest): Promise<boolean> {
      const handle = decodeTrigger(trigger);
      if (!handle) return false;
      try {
        await client.views.open({ trigger_id: handle.triggerId, view: inputModal(handle, request) });
        return true;
      } catch (error) {
        // expired_trigger_id is the usual case: the dispatcher falls back to a thread reply.
        log(`slack: views.open failed: ${messageOf(error)}`);
        return false;
      }
    },
  };
}

async function postReply(client: WebClient, target: PostTarget, reply: Reply, log: (line: string) => void): Promise<MessageRef> {
  const { messages, files } = renderPost(reply);
  let thread = target.thread;
  let first: string | undefined;
  for (const message of messages) {
    const res = await client.chat.postMessage({
      channel: target.channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      ...(thread ? { thread_ts: thread } : {}),
    });
    if (!res.ts) throw new Error(`slack: chat.postMessage in ${target.channel} returned no ts`);
    if (first === undefined) {
      first = res.ts;
      // The rest of a split reply follows its first part into the new thread.
      if (!thread && target.startThread) thread = res.ts;
    }
  }
  if (first === undefined) throw new Error('slack: nothing to post');
  for (const file of files) await upload(client, target.channel, thread, file, log);
  return { surface: 'slack', channel: target.channel, id: first, ...(thread ? { thread } : {}) };
}

async function upload(
  client: WebClient,
  channel: string,
  thread: string | undefined,
  file: SlackFile,
  log: (line: string) => void,
): Promise<void> {
  try {
    const body = typeof file.content === 'string' ? { content: file.content } : { file: Buffer.from(file.content) };
    const what = { ...body, filename: file.filename, title: file.title };
    await client.filesUploadV2(thread ? { ...what, channel_id: channel, thread_ts: thread } : { ...what, channel_id: channel });
  } catch (error) {
    log(`slack: file upload to ${channel} failed: ${messageOf(error)}`);
  }
}
