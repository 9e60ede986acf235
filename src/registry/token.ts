/** What kind of GitHub token a password is, from its documented prefix. */
export type TokenKind =
  | "classic-pat"
  | "fine-grained-pat"
  | "oauth"
  | "actions-token"
  | "user-to-server"
  | "other";

export function tokenKind(password: string): TokenKind {
  if (password.startsWith("ghp_")) return "classic-pat";
  if (password.startsWith("github_pat_")) return "fine-grained-pat";
  if (password.startsWith("gho_")) return "oauth";
  if (password.startsWith("ghs_")) return "actions-token";
  if (password.startsWith("ghu_")) return "user-to-server";
  return "other";
}
