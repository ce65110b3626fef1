// The media type of GraphQL answers. yoga negotiates it from the Accept header only once the
// operation has run, and answers 406 Not Acceptable when it has no processor for what the client
// accepts: a mutation sent with `Accept: image/png` was carried out, then answered 406. GitLab's
// GraphqlController answers JSON whatever the Accept header says; so does the gateway when none of
// yoga's media types (JSON, GraphQL response JSON, event streams, multipart) is acceptable.
import { isAsyncIterable, processRegularResult, type Plugin } from 'graphql-yoga';

/** Answers `application/json` when yoga found no media type the client accepts (instead of 406 after running the operation). */
export function jsonWhateverAccepted(): Plugin {
  return {
    // After yoga's own processors (its plugins come first); a stream of results still needs a streaming type.
    onResultProcess({ result, resultProcessor, setResultProcessor }) {
      if (!resultProcessor && !isAsyncIterable(result)) setResultProcessor(processRegularResult, 'application/json');
    },
  };
}
