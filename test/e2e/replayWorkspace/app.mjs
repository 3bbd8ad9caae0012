// A module whose exported function Debug This Call re-runs under the JavaScript debugger.
export async function answer(question) {
  const words = question.split(' ');
  return `${words.length} words`;
}
