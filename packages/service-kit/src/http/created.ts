// The reply to a create: 201 (or the replayed status), where the new resource lives, its ETag, and
// whether this answer is a replay of an earlier request with the same Idempotency-Key.
import type { FastifyReply } from 'fastify';
import type { StoredResponse } from '../db/idempotency';
import { etagOf } from './etag';

export function replyCreated<T extends { id: number; version: number }>(
  reply: FastifyReply,
  result: StoredResponse<T>,
  collection: string,
) {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply
    .code(result.status)
    .header('location', `${collection}/${result.body.id}`)
    .header('etag', etagOf(result.body.version))
    .send(result.body);
}
