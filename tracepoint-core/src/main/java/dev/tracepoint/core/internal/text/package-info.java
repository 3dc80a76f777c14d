/**
 * Not API. Text helpers the library's modules share: the closest names to a misspelt one, for error messages.
 * Exported only to the signal and skb modules.
 */
package dev.tracepoint.core.internal.text;
