// The REST fixture (test/fixture/rest.proto) served on the engine: each method answers with the
// request it received (GetTitle with a Book), so a test sees what the transcoder made of an HTTP
// request; `fail_with_code` fails the call with `book` as an error detail, `delay_ms` waits first.
import {
  CallError,
  defineService,
  startRpcServer,
  type CallContext,
  type RpcServer,
  type RpcServerOptions,
} from "../src/index.js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";
import { Book, RestServiceService, type BookRequest } from "./gen/rest.js";
import { echoImplementation, wait } from "./fixture-service.js";
import { EchoServiceService } from "./gen/fixture.js";

async function answer(request: BookRequest, context: CallContext): Promise<BookRequest> {
  if (request.delayMs > 0) await wait(request.delayMs, context);
  if (request.failWithCode !== 0) {
    throw new CallError(request.failWithCode, `failing as asked for ${request.name}`, [
      { type: "fixture.v1.Book", value: Book.encode(request.book ?? { name: "", title: "", pageCount: 0 }).finish() },
    ]);
  }
  return request;
}

export const restService = defineService(
  RestServiceService,
  {
    getBook: answer,
    createBook: answer,
    updateBook: answer,
    replaceBook: answer,
    deleteBook: answer,
    archiveBook: answer,
    getFile: answer,
    search: answer,
    async getTitle(request, context) {
      const echoed = await answer(request, context);
      return { name: `shelves/${echoed.shelf}/books/${echoed.bookId}`, title: `Book ${echoed.bookId}`, pageCount: 1 };
    },
    *watch(request) {
      yield request;
    },
  },
  { descriptorSet: fixtureDescriptorSet },
);

/** The RestService, and the EchoService beside it, on 127.0.0.1 and a free port. */
export function startRestServer(options: Omit<Partial<RpcServerOptions>, "services"> = {}): Promise<RpcServer> {
  const echo = defineService(EchoServiceService, echoImplementation, { descriptorSet: fixtureDescriptorSet });
  return startRpcServer({ host: "127.0.0.1", port: 0, ...options, services: [restService, echo] });
}
