package com.cobotchat.web;

/**
 * Model of the error page: what went wrong in words a member understands, a reference id that
 * matches the log line, and optionally a link to try again.
 */
public record ErrorPage(String lang, int status, String title, String message, String reference, String retryUrl) {
}
