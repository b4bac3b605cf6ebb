/** What `dispatch-bot help [COMMAND]` prints. */

const REPO_HELP = `  --repo PATH     the repository tasks work on (default: DISPATCH_REPO, else the directory you ran
                  the bot from; under \`npm start\` that is where you ran npm)`;

const STATE_ENV = `  DISPATCH_CONFIG   config file (default: DISPATCH_HOME/config.yaml)
  DISPATCH_HOME     state and logs (default: ~/.dispatch)
  DISPATCH_REPO     the repository tasks work on (--repo wins)
  DISPATCH_STORE=redis, DISPATCH_QUEUE=redis with REDIS_URL, DISPATCH_REDIS_PREFIX
  GITHUB_TOKEN      opens pull requests and reads issues (never passed to workers)
  GITHUB_API_URL    GitHub Enterprise's API, https://<host>/api/v3 (default: https://api.github.com)`;

const HELP: Record<string, { usage: string; summary: string; body: string }> = {
  start: {
    usage: 'start [--repo PATH]',
    summary: 'run every chat surface whose credentials are set (Slack, Discord); the shell when none are',
    body: `Options:
${REPO_HELP}

Environment:
  SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP on PORT, default 3000)
  DISCORD_TOKEN [+ DISCORD_GUILD_ID to register /dispatch in one server at once]
${STATE_ENV}

A surface set only in part (a Slack token without its secret, a guild id without a token) is an
error naming what is missing. Stop with Ctrl-C or SIGTERM; workers keep running and are picked up
again at the next start.`,
  },
  shell: {
    usage: 'shell [--repo PATH] [--user NAME]',
    summary: 'chat from this terminal or a pipe (one chat line per line)',
    body: `Options:
${REPO_HELP}
  --user NAME     who you are in the shell (default: your login name)

Environment:
${STATE_ENV}

In the shell: a request, "status", "logs <id>", "cancel <id>", "open a PR for <id>", "push <id>",
"#<id> text" to answer, add a note or say "address the review comments", a number or label to pick a choice, a line ending in \\ to continue it. Ctrl-D quits;
Ctrl-C asks first when tasks are still running. Piped input waits for the tasks it started.`,
  },
  runner: {
    usage: 'runner',
    summary: 'a runner host serving the BullMQ queue on Redis (the bot runs with DISPATCH_QUEUE=redis)',
    body: `Environment:
  REDIS_URL, DISPATCH_REDIS_PREFIX   the same as the bot's
  DISPATCH_SECRET                    the same as the bot's: jobs, events and commands are signed with it
  DISPATCH_RUNNER_ID                 a stable id, so a restarted runner re-adopts its workers
  DISPATCH_WORKER_ENV                names of credentials workers may keep (e.g. AWS_ACCESS_KEY_ID)
  METRICS_PORT, METRICS_HOST         /healthz and /metrics (Prometheus) on this port
  DISPATCH_CONFIG, DISPATCH_HOME     limits.concurrency, kill_grace, drain_timeout and repos of this runner's config; logs
SIGTERM lets running workers finish (limits.drain_timeout), then hands the rest back to the queue;
SIGINT stops at once and leaves them running for the next start.`,
  },
  doctor: {
    usage: 'doctor',
    summary: 'check the agent CLIs (installed and logged in), the config, and what each model runs',
    body: `Exits 1 when the config is invalid or no configured model has a CLI that can run it.

Environment:
  DISPATCH_CONFIG, DISPATCH_HOME, PATH (where the agent CLIs are found)`,
  },
  health: {
    usage: 'health',
    summary: 'exit 0 when `start` runs on this DISPATCH_HOME and beat in the last 90 s (a container HEALTHCHECK)',
    body: `\`dispatch-bot start\` writes DISPATCH_HOME/health.json every 30 s while Slack or Discord runs.

Environment:
  DISPATCH_HOME   where the running bot keeps its state`,
  },
  config: {
    usage: 'config validate [FILE]',
    summary: 'check a config file (default: the bot\u2019s config) and name every bad key',
    body: `Environment:
  DISPATCH_CONFIG, DISPATCH_HOME   where the bot's config is`,
  },
};

export function overview(): string {
  const width = Math.max(...Object.values(HELP).map((h) => h.usage.length));
  const lines = Object.values(HELP).map((h) => `  ${h.usage.padEnd(width)}  ${h.summary}`);
  return `usage: dispatch-bot <command> [options]

${lines.join('\n')}
  ${'help [COMMAND]'.padEnd(width)}  this help, or one command's (also: COMMAND --help)
  ${'--version'.padEnd(width)}  the version`;
}

export function commandHelp(command: string): string {
  const h = HELP[command];
  if (!h) return overview();
  return `usage: dispatch-bot ${h.usage}

${h.summary[0]?.toUpperCase()}${h.summary.slice(1)}.

${h.body}`;
}
