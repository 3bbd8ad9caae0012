// A conversation: one block per message with its role, its text (cut long, with "show
// more"), non-text parts as JSON, and tool calls as calls (name and arguments). The request's
// other fields (model, temperature…) follow as JSON. Several replies to one request (n > 1)
// are numbered as choices.

import { codicon } from '../../components/icons';
import type { ChatView } from './chat';
import { h } from '../../components/dom';
import { jsonView, longText, type JsonViewState } from './jsonView';

export function chatView(chat: ChatView, state: JsonViewState, path: string): HTMLElement {
  const root = h('div', { class: 'chat' });
  chat.messages.forEach((m, i) => {
    const p = `${path}/m${i}`;
    const header = h('div', { class: 'chat-role' }, h('span', { class: 'role-name', text: m.role }));
    if (chat.choices)
      header.append(h('span', { class: 'chat-meta', text: `choice ${i + 1} of ${chat.messages.length}` }));
    if (m.name) header.append(h('span', { class: 'chat-meta', text: m.name }));
    if (m.toolCallId) header.append(h('span', { class: 'chat-meta', text: `reply to ${m.toolCallId}` }));
    const body = h('div', { class: 'chat-body' });
    m.parts.forEach((part, j) => {
      if (part.kind === 'text')
        body.append(h('div', { class: 'chat-text' }, longText(part.text, state, `${p}/t${j}`, 'text-block')));
      else
        body.append(
          h(
            'div',
            { class: 'chat-part' },
            h('span', { class: 'chat-meta', text: part.type }),
            jsonView(part.value, state, `${p}/p${j}`),
          ),
        );
    });
    m.toolCalls.forEach((call, j) => {
      body.append(
        h(
          'div',
          { class: 'tool-call' },
          h(
            'div',
            { class: 'tool-call-head' },
            codicon('tools'),
            h('span', { class: 'tool-name', text: call.name }),
            call.id ? h('span', { class: 'chat-meta', text: call.id }) : null,
          ),
          jsonView(call.arguments, state, `${p}/c${j}`),
        ),
      );
    });
    if (!m.parts.length && !m.toolCalls.length) body.append(h('span', { class: 'chat-meta', text: '(empty)' }));
    root.append(h('div', { class: `chat-message role-${cssToken(m.role)}` }, header, body));
  });
  if (chat.rest) root.append(h('div', { class: 'chat-rest' }, jsonView(chat.rest, state, `${path}/rest`)));
  return root;
}

/** A role is data: only letters survive into a class name. */
function cssToken(text: string): string {
  return text.toLowerCase().replace(/[^a-z]/g, '') || 'other';
}
