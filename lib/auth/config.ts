import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { findUserById } from "@/lib/db/queries/users";
import { readLoginTicket } from "@/lib/auth/login-ticket";
import type { SessionClaims } from "@/lib/auth/session";

/**
 * next-auth v5 with JWT sessions. The Credentials provider accepts only a login ticket issued by
 * lib/services/users/auth.ts#login, which has already checked the throttle and the password.
 */
// Lazy config: the environment is read on first use, not at import (so `next build` needs no secrets).
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  trustHost: env().AUTH_TRUST_HOST,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    Credentials({
      credentials: { ticket: {} },
      async authorize(credentials) {
        const ticket =
          typeof credentials?.ticket === "string"
            ? readLoginTicket(credentials.ticket, env().AUTH_SECRET, Date.now())
            : null;
        if (!ticket) throw new CredentialsSignin();
        const user = await findUserById(ticket.userId);
        if (!user || !user.active || user.sessionVersion !== ticket.sessionVersion) throw new CredentialsSignin();
        return { id: user.id, email: user.email, name: user.name, sv: user.sessionVersion };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        (token as SessionClaims).sv = (user as { sv?: number }).sv;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
