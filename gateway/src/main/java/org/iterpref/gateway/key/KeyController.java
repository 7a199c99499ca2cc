package org.iterpref.gateway.key;

import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Key management; the admin scope guards every path here (see {@code auth.RequiredScopes}). */
@RestController
@RequestMapping(path = "/admin/keys", produces = MediaType.APPLICATION_JSON_VALUE)
class KeyController {

    static final int MAX_PAGE = 1000;

    private final KeyIssuer issuer;
    private final ApiKeys keys;

    KeyController(KeyIssuer issuer, ApiKeys keys) {
        this.issuer = issuer;
        this.keys = keys;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CreatedKey> create(@RequestBody CreateKeyRequest request) {
        var scopes = request.validate();
        CreatedKey created = issuer.issue(request.name().strip(), scopes, request.requestsPerMinute(), request.burst());
        return ResponseEntity.status(HttpStatus.CREATED).header("Cache-Control", "no-store").body(created);
    }

    @GetMapping
    List<KeyView> list(@RequestParam(defaultValue = "" + MAX_PAGE) int limit) {
        return keys.list(Math.max(1, Math.min(limit, MAX_PAGE))).stream().map(KeyView::of).toList();
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@PathVariable UUID id) {
        if (keys.find(id).isEmpty()) {
            throw new UnknownKeyException(id);
        }
        keys.revoke(id);
        return ResponseEntity.noContent().build();
    }
}
