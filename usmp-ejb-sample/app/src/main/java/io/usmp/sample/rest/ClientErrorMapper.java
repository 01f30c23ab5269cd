package io.usmp.sample.rest;

import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** 4xx answers carry their reason as text; a client's mistake is not logged as a server error. */
@Provider
public class ClientErrorMapper implements ExceptionMapper<ClientErrorException> {
    @Override
    public Response toResponse(ClientErrorException e) {
        return Response.status(e.getResponse().getStatus()).type(MediaType.TEXT_PLAIN).entity(e.getMessage()).build();
    }
}
