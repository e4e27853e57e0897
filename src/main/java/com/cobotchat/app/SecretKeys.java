package com.cobotchat.app;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Keys derived from {@code SECRET_KEY}: one for HMAC signatures (state, tickets, page tokens),
 * one for AES-GCM encryption of stored Cobot tokens. Also the service's source of random ids.
 */
public final class SecretKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private final byte[] signingKey;
  private final byte[] encryptionKey;
  private final boolean generated;

  private SecretKeys(byte[] master, boolean generated) {
    this.signingKey = derive(master, "cobot-chat/sign");
    this.encryptionKey = java.util.Arrays.copyOf(derive(master, "cobot-chat/encrypt"), 32);
    this.generated = generated;
  }

  static SecretKeys from(String name, String value) {
    if (value.length() < 32) {
      throw new ConfigException(name + " must be at least 32 characters long");
    }
    return new SecretKeys(value.getBytes(StandardCharsets.UTF_8), false);
  }

  /** A random key for demo mode and tests. */
  public static SecretKeys generate() {
    byte[] master = new byte[48];
    RANDOM.nextBytes(master);
    return new SecretKeys(master, true);
  }

  public boolean generated() {
    return generated;
  }

  /** A URL-safe random token with the given number of random bytes. */
  public static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return URL.encodeToString(b);
  }

  /** URL-safe HMAC-SHA256 of the text. */
  public String sign(String text) {
    return URL.encodeToString(hmac(signingKey, text.getBytes(StandardCharsets.UTF_8)));
  }

  public boolean verify(String text, String signature) {
    return signature != null && MessageDigest.isEqual(
        sign(text).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
  }

  /** SHA-256 of a token, hex; what the database keeps instead of bearer tokens. */
  public static String hash(String token) {
    try {
      return java.util.HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] encrypt(String plain) {
    try {
      byte[] iv = new byte[12];
      RANDOM.nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(encryptionKey, "AES"), new GCMParameterSpec(128, iv));
      byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  public String decrypt(byte[] sealed) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(encryptionKey, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
      return new String(c.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored token cannot be decrypted (was SECRET_KEY changed?)", e);
    }
  }

  @Override
  public String toString() {
    return "SecretKeys[hidden]";
  }

  private static byte[] derive(byte[] master, String label) {
    return hmac(master, label.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
