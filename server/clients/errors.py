from server.kit.errors import Conflict


class ClientNameTaken(Conflict):
    code = "client_name_taken"
