import type { Download } from '../../src/chat/download.js';
import { fetchFile, hostAllowList } from '../../src/chat/fetch-file.js';
import type { InboundFile } from '../../src/chat/inbound.js';

/** Where Slack serves files (files.slack.com and its kin; GovSlack's own domain). */
const SLACK_FILE_HOSTS = ['slack.com', '.slack.com', '.slack-gov.com', '.slack-edge.com'];

/**
 * A file shared with a request, fetched with the bot token, from Slack's hosts only (and the Web
 * API's own host, when SLACK_API_URL points elsewhere): the token never goes anywhere else.
 */
export function slackDownloader(botToken: string, apiUrl: string | undefined): (file: InboundFile, maxBytes: number) => Promise<Download> {
  const allowed = hostAllowList(SLACK_FILE_HOSTS, apiUrl);
  const headers = { Authorization: `Bearer ${botToken}` };
  // Slack shows its sign-in page, not the file, to a token without files:read; a shared HTML file is still taken.
  return (file, maxBytes) => fetchFile(file.handle, { maxBytes, allowed, headers, ...(file.mime === 'text/html' ? {} : { htmlMeans: 'Slack answered with a web page, not the file: does the app have the files:read scope?' }) });
}
