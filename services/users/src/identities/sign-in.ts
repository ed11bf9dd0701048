// Who a token signs in as. The issuer's (iss, sub) is the identity: bound to a person at their first sign-in
// through an email address the issuer says it verified, and matched by that pair alone ever after, so a
// self-registered or edited email at the issuer cannot take over someone else, and changing a person's
// email here does not move who signs in as them.
import { asciiLower, type TokenIdentity } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db';
import { findUser, findUserByEmail, type UserRow } from '../users/queries';

export type SigningIn = { row: UserRow } | { row: null; why: string };

export async function personSigningIn(
  db: Kysely<UsersDatabase>,
  identity: TokenIdentity,
): Promise<SigningIn> {
  const bound = await boundPerson(db, identity);
  if (bound) return { row: bound };
  const { email } = identity;
  if (!email || !identity.emailVerified)
    return {
      row: null,
      why:
        'Your sign-in is not linked to a person here yet, and your identity provider does not vouch for an ' +
        'email address (email_verified) to link it by. Ask for your email to be verified there.',
    };
  return db.transaction().execute(async (trx): Promise<SigningIn> => {
    const row = await findUserByEmail(trx, email);
    // The database lowercases by its collation; only an exact ASCII-lowercase match counts.
    if (!row?.email || asciiLower(row.email) !== email)
      return { row: null, why: `Nobody with the email ${email} works here.` };
    const inserted = await trx
      .insertInto('identities')
      .values({ issuer: identity.issuer, subject: identity.subject, user_id: row.id })
      .onConflict((oc) => oc.doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (inserted) return { row };
    const raced = await boundPerson(trx, identity);
    if (raced) return { row: raced };
    return {
      row: null,
      why: `The person with the email ${email} already signs in with another account at this issuer.`,
    };
  });
}

async function boundPerson(db: Kysely<UsersDatabase>, identity: TokenIdentity) {
  const link = await db
    .selectFrom('identities')
    .select('user_id')
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
  return link ? findUser(db, link.user_id) : undefined;
}
