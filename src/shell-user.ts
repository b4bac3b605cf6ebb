import { userInfo } from 'node:os';

/** Who is speaking in the shell by default: the OS user. */
export function shellUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'me';
  }
}
