import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake GitHub REST (and the one GraphQL query the bot sends) on 127.0.0.1, recording every
 * call. It refuses what GitHub refuses: a bad token (401), a pull request whose head branch is
 * not on the repository (422: the branch must be pushed first), a second open pull request for
 * one branch (422), an issue or repository that is not there (404). Failures can be injected per
 * route.
 */

export interface GitHubCall {
  method: string;
  /** Path without the query string, e.g. `/repos/acme/widgets/pulls`. */
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  status: number;
  /** The Authorization header as sent (tests check it carries the token and nothing else does). */
  authorization: string | undefined;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
}

export interface FakeReviewThread {
  resolved: boolean;
  outdated?: boolean;
  path: string;
  line: number;
  comments: { author: string; body: string }[];
}

export interface FakeRepo {
  defaultBranch: string;
  issues: Map<number, { title: string; body: string }>;
  pulls: FakePull[];
  threads: Map<number, FakeReviewThread[]>;
  /** Latest opinionated review per reviewer. */
  reviews: Map<number, { author: string; state: 'APPROVED' | 'CHANGES_REQUESTED'; body: string }[]>;
  /** The bare repository standing for it: a pull request's head must exist there. */
  bare?: string;
}

interface Failure {
  method: string;
  path: RegExp;
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface FakeGitHub {
  /** For GITHUB_API_URL. */
  readonly apiUrl: string;
  readonly token: string;
  readonly calls: GitHubCall[];
  /** A repository the fake knows (`owner/name`), created on first use. */
  repo(fullName: string, bare?: string): FakeRepo;
  /** Calls matching a method and path pattern. */
  callsTo(method: string, path: RegExp): GitHubCall[];
  /** Answer every later call matching `method` and `path` with this status (until `heal`). */
  fail(method: string, path: RegExp, status: number, body?: Record<string, unknown>, headers?: Record<string, string>): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(opts: { token?: string } = {}): Promise<FakeGitHub> {
  const token = opts.token ?? 'ghp_fake0123456789abcdefTOKEN';
  const calls: GitHubCall[] = [];
  const repos = new Map<string, FakeRepo>();
  const failures: Failure[] = [];
  let nextNumber = 1;

  const repo = (fullName: string, bare?: string): FakeRepo => {
    let found = repos.get(fullName);
    if (!found) {
      found = { defaultBranch: 'main', issues: new Map(), pulls: [], threads: new Map(), reviews: new Map() };
      repos.set(fullName, found);
    }
    if (bare) found.bare = bare;
    return found;
  };

  const server = createServer((req, res) => {
    void body(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      const call: GitHubCall = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body: parsed, status: 200, authorization: req.headers.authorization };
      calls.push(call);
      const answer = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
        call.status = status;
        send(res, status, data, headers);
      };
      const failure = failures.find((f) => f.method === call.method && f.path.test(call.path));
      if (failure) return answer(failure.status, failure.body, failure.headers);
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${token}` && auth !== `bearer ${token}`) return answer(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      route(call, answer);
    });
  });

  const apiBase = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const html = (full: string, kind: string, n: number) => `${apiBase()}/${full}/${kind}/${n}`;

  function route(call: GitHubCall, answer: (status: number, data: unknown) => void): void {
    if (call.method === 'POST' && call.path === '/graphql') return answer(200, graphql(call.body ?? {}));
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(call.path);
    if (!m) return answer(404, { message: 'Not Found' });
    const full = `${m[1]}/${m[2]}`;
    const known = repos.get(full);
    if (!known) return answer(404, { message: 'Not Found' });
    const rest = m[3] ?? '';
    if (call.method === 'GET' && rest === '') return answer(200, { full_name: full, default_branch: known.defaultBranch, html_url: `${apiBase()}/${full}` });
    const issue = /^\/issues\/(\d+)$/.exec(rest);
    if (call.method === 'GET' && issue) {
      const found = known.issues.get(Number(issue[1]));
      return found ? answer(200, { number: Number(issue[1]), title: found.title, body: found.body, html_url: html(full, 'issues', Number(issue[1])) }) : answer(404, { message: 'Not Found' });
    }
    if (rest === '/pulls' && call.method === 'GET') {
      const head = call.query.head?.split(':')[1];
      const list = known.pulls.filter((p) => (!head || p.head === head) && (call.query.state ?? 'open') === p.state);
      return answer(200, list.map((p) => pullJson(full, p)));
    }
    if (rest === '/pulls' && call.method === 'POST') return createPull(full, known, call.body ?? {}, answer);
    return answer(404, { message: 'Not Found' });
  }

  function createPull(full: string, known: FakeRepo, input: Record<string, unknown>, answer: (status: number, data: unknown) => void): void {
    const head = String(input.head ?? '');
    const base = String(input.base ?? '');
    if (known.bare && !branchIn(known.bare, head)) {
      return answer(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] });
    }
    if (known.pulls.some((p) => p.head === head && p.state === 'open')) {
      return answer(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${full.split('/')[0]}:${head}.` }] });
    }
    const pull: FakePull = { number: nextNumber++, title: String(input.title ?? ''), body: String(input.body ?? ''), head, base, draft: input.draft === true, state: 'open' };
    known.pulls.push(pull);
    answer(201, pullJson(full, pull));
  }

  function pullJson(full: string, p: FakePull) {
    return { number: p.number, html_url: html(full, 'pull', p.number), title: p.title, body: p.body, draft: p.draft, state: p.state, head: { ref: p.head }, base: { ref: p.base } };
  }

  function graphql(input: Record<string, unknown>): unknown {
    const vars = (input.variables ?? {}) as { owner?: string; name?: string; number?: number };
    const known = repos.get(`${vars.owner}/${vars.name}`);
    if (!known) return { data: { repository: null }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a Repository with the name '${vars.owner}/${vars.name}'.` }] };
    const pull = known.pulls.find((p) => p.number === vars.number);
    if (!pull) return { data: { repository: { pullRequest: null } }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a PullRequest with the number of ${vars.number}.` }] };
    const base = html(`${vars.owner}/${vars.name}`, 'pull', pull.number);
    const threads = (known.threads.get(pull.number) ?? []).map((t, i) => ({
      isResolved: t.resolved,
      isOutdated: t.outdated ?? false,
      path: t.path,
      line: t.line,
      comments: { nodes: t.comments.map((c, j) => ({ body: c.body, url: `${base}#discussion_r${i}${j}`, author: { login: c.author } })) },
    }));
    const reviews = (known.reviews.get(pull.number) ?? []).map((r, i) => ({ state: r.state, body: r.body, url: `${base}#pullrequestreview-${i}`, author: { login: r.author } }));
    return {
      data: {
        repository: {
          pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: threads }, latestOpinionatedReviews: { nodes: reviews } },
        },
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: apiBase(),
    token,
    calls,
    repo,
    callsTo: (method, path) => calls.filter((c) => c.method === method && path.test(c.path)),
    fail: (method, path, status, data = { message: 'Injected failure' }, headers) => {
      failures.push({ method, path, status, body: data, ...(headers ? { headers } : {}) });
    },
    heal: () => {
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function branchIn(bare: string, branch: string): boolean {
  try {
    execFileSync('git', ['--git-dir', bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(data));
}
