package com.cobotchat.space;

/** A Cobot space that uses the chat. {@code installed} is false before the admin install and after uninstall. */
public record Space(long id, String subdomain, String cobotId, String name, String customDomain, boolean installed) {
}
